# One stage's --stats for the whole stream from its partitions' ($p, in
# partition order): counts add up; $same names the figures a stage
# computes once from its configuration (equal in every partition); $sorted
# the prefixes of figures a stage names per value it meets (ingest's
# encoding.NAME), which follow the others in name order, as the stage
# writes them.
def sum(objs): reduce (objs[] | to_entries[]) as $e ({}; .[$e.key] += $e.value);
def keys_in_order(objs): reduce (objs[] | keys_unsorted[]) as $k ([]; if index([$k]) then . else . + [$k] end);
($same | split(" ") | map(select(. != ""))) as $same
| ($sorted | split(" ") | map(select(. != ""))) as $sorted
| if ($p | map(.options) | unique | length) > 1
  then error("partitions ran with different options") else . end
| ($p | map(.figures // {})) as $f
| sum($f) as $total
| (keys_in_order($f) | map(select(. as $k | $sorted | any(. as $s | $k | startswith($s)) | not))) as $fixed
| (keys_in_order($f) - $fixed | sort) as $placed
| {
    stage: $p[0].stage,
    version: $p[0].version,
    records_in: ($p | map(.records_in) | add),
    records_out: ($p | map(.records_out) | add),
    rejected: (sum($p | map(.rejected)) | to_entries | sort_by(.key) | from_entries),
    bytes_in: ($p | map(.bytes_in) | add),
    bytes_out: ($p | map(.bytes_out) | add),
    options: $p[0].options,
    figures: (reduce ($fixed + $placed)[] as $k ({};
        .[$k] = (if ($same | index([$k])) then $f[0][$k] else $total[$k] end)))
  }
