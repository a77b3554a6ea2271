# Write N Markdown works (pandoc's dialect) of about BYTES bytes each into
# DIR/wNNN.md: poems as line blocks with indented lines and stanza breaks,
# prose paragraphs with emphasis, curly quotes, accented, Cyrillic, Greek
# and CJK words, and a footnote every few paragraphs.  Seeded: the same
# arguments give the same files.  Usage:
#   awk -v n=N -v bytes=BYTES -v dir=DIR -v seed=S -f genworks.awk
function word(   r) {
	r = int(rand() * nw) + 1
	return w[r]
}
function line(k,   s, i) {
	s = word()
	for (i = 1; i < k; i++)
		s = s " " word()
	return s
}
BEGIN {
	srand(seed)
	nw = split("the a of and river kettle dawn pear orchard window slate " \
	    "bridge ferry harbour lamp letter winter kitchen tram gull " \
	    "chestnut waltz cellar ladder frost map neighbour radio flour " \
	    "smoke salt road tide morning evening quiet slowly again home " \
	    "café naïve déjà façade señora smörgås Ελληνικά θάλασσα " \
	    "Русский снег дом речка 日本語 夏 茶馆 月亮 “come” “home” " \
	    "it’s we’ll *softly* *again* — –", w, " ")
	for (f = 1; f <= n; f++) {
		path = sprintf("%s/w%03d.md", dir, f)
		printf "# %s %s\n\n", word(), word() >path
		size = 0
		note = 0
		while (size < bytes) {
			if (rand() < 0.5) {
				# A poem: a line block, stanzas apart.
				for (s = 0; s < 3; s++) {
					for (l = 0; l < 4; l++) {
						t = (l % 2 ? "    " : "") line(6 + int(rand() * 4))
						printf "| %s\n", t >path
						size += length(t) + 3
					}
					if (s < 2)
						printf "|\n" >path
				}
				printf "\n" >path
			} else {
				t = line(60 + int(rand() * 60))
				if (rand() < 0.3) {
					note++
					t = t "[^" note "]"
				}
				printf "%s.\n\n", t >path
				size += length(t) + 3
			}
		}
		for (i = 1; i <= note; i++)
			printf "[^%d]: %s.\n\n", i, line(12) >path
		close(path)
	}
}
