/* quire-consent-filter: keep the works their writers consented to release. */
#define _DEFAULT_SOURCE		/* explicit_bzero */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "policy.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "util.h"

/* The ledger's columns with a meaning; any other one is private. */
static const char *const ledger_cols[] = {
	"writer_id", "event", "date", "uses", "works", "form_version", NULL
};
enum { C_WRITER, C_EVENT, C_DATE, C_USES, C_WORKS, C_FORM, NCOLS };

/* The longest date date_parse accepts: YYYY-MM-DDTHH:MM:SS+HH:MM. */
#define DATE_MAX 25

/*
 * One ledger row.  The strings are copies of the public cells only: the
 * private ones stay in the CSV table, which is wiped and freed as soon as
 * the ledger is indexed.
 */
struct event {
	char	*writer;
	char	*date;		/* as written, for "granted" */
	char	*form;		/* form_version; NULL on a withdraw */
	long	days;		/* date as days since the epoch */
	size_t	line;		/* ledger line: messages, same-day order */
	int	withdraw;
	int	all_works;	/* works is "*" */
	int	all_uses;	/* uses is "*" (grants only) */
	struct list works;	/* sorted; empty when all_works */
	struct list uses;	/* sorted; empty if all_uses or a withdraw */
	struct json_object *consent;	/* its consent field, once built */
};

/* The ledger, indexed: events sorted by writer, date, then file line. */
struct ledger {
	struct event *ev;
	size_t	n;
	size_t	writers;	/* distinct writer ids */
	size_t	after_cutoff;	/* events dated after the cut-off */
	size_t	late_withdrawals; /* withdraws among those */
	size_t	unknown_uses;	/* grants naming a use uses.csv lacks */
};

/* What one record's replay of the ledger decided. */
struct verdict {
	struct event *grant;		/* the deciding grant when kept */
	const char *reason;		/* reject reason, NULL when kept */
	char	*detail;		/* reject detail, cap bytes */
	size_t	cap;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --ledger FILE --policies DIR --uses LIST "
	    "--cutoff DATE\n"
	    "       [--rejects FILE] [--stats FILE] [--version] [FILE ...]\n",
	    progname);
}

static int
cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = strcmp(x->writer, y->writer);

	if (c != 0)
		return c;
	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * Parse the ;-separated list s of column name on ledger line into l, or
 * set *all when it is "*".  An empty list, an empty item or a "*" among
 * other items is fatal: the ledger says nothing clear.
 */
static void
parse_list(const char *path, size_t line, const char *name, const char *s,
    struct list *l, int *all)
{
	*all = 0;
	if (s[strspn(s, " \t")] == '\0')
		die(EXIT_CONFIG, "%s:%zu: empty %s", path, line, name);
	if (list_split(s, l) != 0)
		die(EXIT_CONFIG, "%s:%zu: %s has an empty item", path, line,
		    name);
	if (!list_has(l, "*"))
		return;
	if (l->n > 1)
		die(EXIT_CONFIG, "%s:%zu: %s: * must stand alone", path, line,
		    name);
	list_free(l);
	*all = 1;
}

/* Nonzero if s looks like a use id, so that a message may show it. */
static int
is_identifier(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n > 0 && n <= 64 && s[n] == '\0';
}

/*
 * A use a grant names that uses.csv does not list can never match an
 * intended use (policy_uses refuses those), so it allows nothing more than
 * the ledger's other uses: harmless to consent.  But it is most likely a
 * typo that silently narrows the writer's consent, so say so.  Return
 * nonzero if any use of e is unknown.
 */
static int
check_uses(const char *path, const char *uses_path, const struct event *e,
    const struct list *known)
{
	size_t i;
	int unknown = 0;

	for (i = 0; i < e->uses.n; i++) {
		if (list_has(known, e->uses.items[i]))
			continue;
		unknown = 1;
		if (is_identifier(e->uses.items[i]))
			warn("%s:%zu: use %s is not in %s: this grant cannot "
			    "allow it", path, e->line, e->uses.items[i],
			    uses_path);
		else
			warn("%s:%zu: a use that is not a use id is not in %s: "
			    "this grant cannot allow it", path, e->line,
			    uses_path);
	}
	return unknown;
}

static void
add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = json_object_new_string(s);

	if (v == NULL || json_object_object_add(o, key, v) != 0)
		die(EXIT_OSERR, "out of memory");
}

/*
 * The consent field of grant e, built when a record first needs it (a
 * large ledger holds many grants that decide nothing) and then shared by
 * every record it decides: the event owns one reference, each record
 * another.
 */
static struct json_object *
consent_field(struct event *e)
{
	struct json_object *o, *a, *v;
	size_t i;

	o = json_object_new_object();
	a = json_object_new_array();
	if (o == NULL || a == NULL)
		die(EXIT_OSERR, "out of memory");
	add_str(o, "form_version", e->form);
	add_str(o, "granted", e->date);
	for (i = 0; i < (e->all_uses ? 1 : e->uses.n); i++) {
		v = json_object_new_string(e->all_uses ? "*" :
		    e->uses.items[i]);
		if (v == NULL || json_object_array_add(a, v) != 0)
			die(EXIT_OSERR, "out of memory");
	}
	if (json_object_object_add(o, "uses", a) != 0)
		die(EXIT_OSERR, "out of memory");
	e->consent = o;
	return o;
}

/*
 * Turn ledger row r into event e, or die with EXIT_CONFIG naming the line
 * and the column at fault, never a value: a misplaced cell may hold a
 * private one.
 */
static void
parse_event(const char *path, const struct csv_table *t,
    const struct csv_row *r, const int *col, struct event *e)
{
	const char *ev;

	memset(e, 0, sizeof(*e));
	e->line = r->line;
	if (r->ncells != t->header.ncells)
		die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu", path,
		    r->line, r->ncells, t->header.ncells);
	if (csvt_cell(r, col[C_WRITER])[0] == '\0')
		die(EXIT_CONFIG, "%s:%zu: empty writer_id", path, r->line);
	ev = csvt_cell(r, col[C_EVENT]);
	if (strcmp(ev, "withdraw") == 0)
		e->withdraw = 1;
	else if (strcmp(ev, "grant") != 0)
		die(EXIT_CONFIG, "%s:%zu: event is neither grant nor withdraw",
		    path, r->line);
	if (date_parse(csvt_cell(r, col[C_DATE]), &e->days) != 0)
		die(EXIT_CONFIG, "%s:%zu: date is not an ISO 8601 date", path,
		    r->line);
	parse_list(path, r->line, "works", csvt_cell(r, col[C_WORKS]),
	    &e->works, &e->all_works);
	e->writer = estrdup(csvt_cell(r, col[C_WRITER]));
	e->date = estrdup(csvt_cell(r, col[C_DATE]));
	/* A withdraw allows nothing, whatever its uses say. */
	if (e->withdraw)
		return;
	parse_list(path, r->line, "uses", csvt_cell(r, col[C_USES]),
	    &e->uses, &e->all_uses);
	if (csvt_cell(r, col[C_FORM])[0] == '\0')
		die(EXIT_CONFIG, "%s:%zu: empty form_version on a grant", path,
		    r->line);
	e->form = estrdup(csvt_cell(r, col[C_FORM]));
}

/*
 * Overwrite the cells of the columns that are not the ledger's own, so
 * private values live no longer than the parse (a core file, a heap
 * reused later).
 */
static void
wipe_private(struct csv_table *t, const int *col)
{
	size_t i, j;
	int k, own;

	for (j = 0; j < t->header.ncells; j++) {
		for (own = 0, k = 0; k < NCOLS; k++)
			own |= col[k] == (int)j;
		if (own)
			continue;
		for (i = 0; i < t->nrows; i++)
			if (j < t->rows[i].ncells)
				explicit_bzero(t->rows[i].cells[j],
				    strlen(t->rows[i].cells[j]));
	}
}

/*
 * Read and index the ledger at path into lg.  A missing file is
 * EXIT_NOINPUT; anything malformed is EXIT_CONFIG naming file and line.
 */
static void
ledger_load(struct ledger *lg, const char *path, const char *uses_path,
    const struct list *known, long cutoff)
{
	struct csv_table *t;
	struct event *e;
	int col[NCOLS], k;
	size_t i;

	memset(lg, 0, sizeof(*lg));
	t = csvt_read(path, EXIT_NOINPUT, EXIT_CONFIG);
	csvt_require(t, ledger_cols, EXIT_CONFIG);
	for (k = 0; k < NCOLS; k++)
		col[k] = csvt_col(t, ledger_cols[k]);
	lg->ev = ecalloc(t->nrows, sizeof(*lg->ev));
	for (i = 0; i < t->nrows; i++) {
		e = &lg->ev[lg->n];
		parse_event(path, t, &t->rows[i], col, e);
		lg->n++;
		if (!e->withdraw && check_uses(path, uses_path, e, known))
			lg->unknown_uses++;
		if (e->days > cutoff) {
			lg->after_cutoff++;
			lg->late_withdrawals += e->withdraw;
		}
	}
	wipe_private(t, col);
	csvt_free(t);
	qsort(lg->ev, lg->n, sizeof(*lg->ev), cmp_event);
	for (i = 0; i < lg->n; i++)
		if (i == 0 || strcmp(lg->ev[i - 1].writer, lg->ev[i].writer))
			lg->writers++;
}

static void
ledger_free(struct ledger *lg)
{
	size_t i;

	for (i = 0; i < lg->n; i++) {
		free(lg->ev[i].writer);
		free(lg->ev[i].date);
		free(lg->ev[i].form);
		list_free(&lg->ev[i].works);
		list_free(&lg->ev[i].uses);
		if (lg->ev[i].consent != NULL)
			json_object_put(lg->ev[i].consent);
	}
	free(lg->ev);
}

/* The first event of writer in lg, or NULL: a binary search. */
static struct event *
ledger_find(const struct ledger *lg, const char *writer)
{
	size_t lo = 0, hi = lg->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(lg->ev[mid].writer, writer) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == lg->n || strcmp(lg->ev[lo].writer, writer) != 0)
		return NULL;
	return &lg->ev[lo];
}

static int
covers(const struct event *e, const char *submission)
{
	return e->all_works || list_has(&e->works, submission);
}

static void
reject(struct verdict *v, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reject(struct verdict *v, const char *reason, const char *fmt, ...)
{
	va_list ap;

	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->detail, v->cap, fmt, ap);
	va_end(ap);
}

/*
 * Name in v->detail, after what is there, the intended uses grant e does
 * not allow (the cap leaves room for all of them).
 */
static void
list_missing(struct verdict *v, const struct event *e,
    const struct list *uses)
{
	size_t i, len = strlen(v->detail);
	const char *sep = "";

	for (i = 0; i < uses->n && len < v->cap; i++)
		if (!list_has(&e->uses, uses->items[i])) {
			len += snprintf(v->detail + len, v->cap - len, "%s%s",
			    sep, uses->items[i]);
			sep = ";";
		}
}

/*
 * Replay writer's ledger events up to the cut-off for submission, in date
 * then file order: the last event covering the work decides (DESIGN.md,
 * "Input: a drop").  Set v->grant when it is a grant allowing every use in
 * uses, else v->reason and v->detail.
 */
static void
decide(const struct ledger *lg, const char *writer, const char *submission,
    long cutoff, const struct list *uses, struct verdict *v)
{
	struct event *e, *end = lg->ev + lg->n, *last = NULL;
	const struct event *future = NULL;
	size_t i;

	v->grant = NULL;
	v->reason = NULL;
	if (writer == NULL) {
		reject(v, "consent.missing", "record has no writer");
		return;
	}
	if (submission == NULL) {
		reject(v, "consent.missing", "record has no "
		    "source.submission");
		return;
	}
	if ((e = ledger_find(lg, writer)) == NULL) {
		reject(v, "consent.missing", "the writer has no ledger "
		    "events");
		return;
	}
	for (; e < end && strcmp(e->writer, writer) == 0; e++) {
		if (!covers(e, submission))
			continue;
		if (e->days <= cutoff)
			last = e;
		else if (!e->withdraw && future == NULL)
			future = e;
	}
	if (last == NULL && future != NULL)
		reject(v, "consent.future", "first covered by the grant of %s "
		    "(ledger line %zu) after the cut-off", future->date,
		    future->line);
	else if (last == NULL)
		reject(v, "consent.missing", "no ledger event of the writer "
		    "covers the work");
	else if (last->withdraw)
		reject(v, "consent.withdrawn", "withdrawn on %s (ledger line "
		    "%zu)", last->date, last->line);
	else if (!last->all_uses) {
		for (i = 0; i < uses->n; i++)
			if (!list_has(&last->uses, uses->items[i]))
				break;
		if (i < uses->n) {
			reject(v, "consent.scope", "the grant of %s (ledger "
			    "line %zu) lacks ", last->date, last->line);
			list_missing(v, last, uses);
		}
	}
	if (v->reason == NULL)
		v->grant = last;
}

/* The items of l joined with ';', for the stats; the caller frees it. */
static char *
join(const struct list *l)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < l->n; i++)
		len += strlen(l->items[i]) + 1;
	s = emalloc(len);
	s[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(s, ";");
		strcat(s, l->items[i]);
	}
	return s;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "cutoff", required_argument, NULL, 'c' },
		{ "ledger", required_argument, NULL, 'l' },
		{ "policies", required_argument, NULL, 'p' },
		{ "uses", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct ledger lg;
	struct list uses, known;
	struct verdict v;
	struct json_object *rec, *consent;
	const char *ledger = NULL, *policies = NULL, *uselist = NULL,
	    *cutoff_arg = NULL;
	char *uses_path, *joined, missing[64];
	long cutoff;
	int ch;

	cli_init(argv, "quire-consent-filter");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "c:l:p:u:",
	    longopts, NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'c':
			cutoff_arg = optarg;
			break;
		case 'l':
			ledger = optarg;
			break;
		case 'p':
			policies = optarg;
			break;
		case 'u':
			uselist = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	snprintf(missing, sizeof(missing), "%s%s%s%s",
	    ledger ? "" : " --ledger", policies ? "" : " --policies",
	    uselist ? "" : " --uses", cutoff_arg ? "" : " --cutoff");
	if (missing[0] != '\0')
		cli_usage_error(usage, "missing required option:%s", missing);

	if (date_parse(cutoff_arg, &cutoff) != 0)
		cli_usage_error(usage, "--cutoff: not an ISO 8601 date: %s",
		    cutoff_arg);

	/* Policies and ledger first: a bad one stops before any record. */
	policy_uses(policies, uselist, cutoff, &uses);
	policy_known_uses(policies, &known);
	uses_path = easprintf("%s/uses.csv", policies);
	ledger_load(&lg, ledger, uses_path, &known, cutoff);
	if (lg.late_withdrawals > 0)
		warn("%s: %zu withdraw event%s dated after the cut-off %s: "
		    "not applied to this release", ledger, lg.late_withdrawals,
		    lg.late_withdrawals == 1 ? " is" : "s are", cutoff_arg);

	stats_init(&st, "consent-filter");
	stats_option(&st, "ledger", ledger);
	stats_option(&st, "policies", policies);
	joined = join(&uses);
	stats_option(&st, "uses", joined);
	stats_option(&st, "cutoff", cutoff_arg);
	stats_add(&st, "ledger_events", (int64_t)lg.n);
	stats_add(&st, "ledger_writers", (int64_t)lg.writers);
	stats_add(&st, "events_after_cutoff", (int64_t)lg.after_cutoff);
	stats_add(&st, "ledger_unknown_uses", (int64_t)lg.unknown_uses);
	rej_open(&rj, cli.rejects_path, "consent-filter", &st);
	progress_init(&pg, cli.qflag);

	/* Room for the longest detail: two dates, a line, every use. */
	v.cap = 128 + 2 * DATE_MAX + strlen(joined) + 1;
	v.detail = emalloc(v.cap);
	record_in_init(&in, argc - optind, argv + optind);
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in = in.bytes;
		decide(&lg, record_str(rec, "writer", NULL),
		    record_path(rec, "source", "submission"), cutoff, &uses,
		    &v);
		if (v.reason != NULL)
			rej_record(&rj, rec, v.reason, v.detail);
		else {
			consent = v.grant->consent;
			if (consent == NULL)
				consent = consent_field(v.grant);
			/* Replaced in place if the record has one already. */
			if (json_object_object_add(rec, "consent",
			    json_object_get(consent)) != 0)
				die(EXIT_OSERR, "out of memory");
			st.bytes_out += record_write(stdout, "<stdout>", rec);
			st.records_out++;
		}
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	progress_done(&pg);
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	stats_write(&st, cli.stats_path);

	stats_free(&st);
	free(v.detail);
	free(joined);
	free(uses_path);
	ledger_free(&lg);
	list_free(&known);
	list_free(&uses);
	return EXIT_OK;
}
