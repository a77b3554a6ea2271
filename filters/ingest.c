/* quire-ingest: a drop's manifest and works become records, in UTF-8. */
#define _XOPEN_SOURCE 700	/* realpath */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "doctext.h"
#include "hash.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "utf8.h"
#include "util.h"

/* Columns with a meaning; any other goes to the record's metadata. */
static const char *const required[] = {
	"submission_id", "writer_id", "file", "license", "submitted", NULL
};
static const char *const optional[] = {
	"title", "credit", "language", "genre", "revision_of", NULL
};

/* ICU's detector is slow (about 1 MB/s): it sees at most this prefix. */
#define DETECT_PREFIX (64 * 1024)

static uint64_t max_bytes = 16 << 20;	/* -m */
static int min_confidence = 20;		/* -c */
static long part_k, part_n = 1;		/* -p K/P */

/* A manifest row with its parsed essentials. */
struct entry {
	const struct csv_row *row;
	const char *submission;
	int	duplicate;	/* submission_id appears more than once */
};

/* Column indices of the manifest. */
struct columns {
	int	req[5];
	int	opt[5];
	int	*is_meta;	/* per header column: goes to metadata */
};

/* What reading and decoding one work produced. */
struct work {
	char	*raw;		/* the file's bytes, reused between works */
	size_t	rawcap;
	size_t	rawlen;
	char	*text;		/* UTF-8 text; points into raw or conv */
	size_t	textlen;
	char	*conv;		/* conversion buffer, reused */
	size_t	convcap;
	char	encoding[64];
	enum doc_format format;	/* what the bytes are */
	const char *title;	/* Markdown front matter's, borrowed */
	char	sha256[HASH_SHA256_HEX];
	const char *reason;	/* reject reason, NULL when the work is good */
	char	detail[512];
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] [-c CONFIDENCE] [-M MANIFEST] [-m SIZE] "
	    "[-p K/P]\n"
	    "       [--rejects FILE] [--stats FILE] [--sums FILE] [--version] "
	    "DROP\n",
	    progname);
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->submission, y->submission);

	if (c != 0)
		return c;
	return (x->row->line > y->row->line) - (x->row->line < y->row->line);
}

/* The document id: 16 hex digits of XXH3-64 of the submission id. */
static void
doc_id(const char *submission, char id[17])
{
	snprintf(id, 17, "%016llx",
	    (unsigned long long)hash_xxh3_64(submission, strlen(submission)));
}

static void
map_columns(const struct csv_table *t, struct columns *c)
{
	size_t i;
	int k;

	for (k = 0; required[k] != NULL; k++)
		c->req[k] = csvt_col(t, required[k]);
	for (k = 0; optional[k] != NULL; k++)
		c->opt[k] = csvt_col(t, optional[k]);
	c->is_meta = ecalloc(t->header.ncells, sizeof(*c->is_meta));
	for (i = 0; i < t->header.ncells; i++)
		c->is_meta[i] = 1;
	for (k = 0; k < 5; k++) {
		if (c->req[k] >= 0)
			c->is_meta[c->req[k]] = 0;
		if (c->opt[k] >= 0)
			c->is_meta[c->opt[k]] = 0;
	}
}

static void
set_reason(struct work *w, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_reason(struct work *w, const char *reason, const char *fmt, ...)
{
	va_list ap;

	w->reason = reason;
	va_start(ap, fmt);
	vsnprintf(w->detail, sizeof(w->detail), fmt, ap);
	va_end(ap);
}

/*
 * Resolve file inside the drop whose real path is realdrop; return the
 * real path of the work (the caller frees it) or NULL with the reason set.
 * Absolute paths, ".." components and symlinks leading out are refused.
 */
static char *
confine(const char *drop, const char *realdrop, const char *file,
    struct work *w)
{
	const char *p;
	char *path, *real;
	size_t n;

	if (file[0] == '/') {
		set_reason(w, "ingest.path", "absolute path");
		return NULL;
	}
	for (p = file; *p != '\0'; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			set_reason(w, "ingest.path", "path leaves the drop "
			    "through ..");
			return NULL;
		}
	}
	path = easprintf("%s/%s", drop, file);
	real = realpath(path, NULL);
	free(path);
	if (real == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			set_reason(w, "ingest.missing", "no such file");
		else if (errno == ELOOP)
			set_reason(w, "ingest.path", "symlink loop");
		else if (errno == ENOMEM)
			die(EXIT_OSERR, "out of memory");
		else
			set_reason(w, "ingest.unreadable", "%s",
			    strerror(errno));
		return NULL;
	}
	n = strlen(realdrop);
	if (strcmp(real, realdrop) == 0) {
		set_reason(w, "ingest.not_file", "not a regular file");
		free(real);
		return NULL;
	}
	if (strncmp(real, realdrop, n) != 0 || real[n] != '/') {
		set_reason(w, "ingest.path", "symlink leads outside the drop");
		free(real);
		return NULL;
	}
	return real;
}

/*
 * Read the work at path into w->raw, hashing as it goes; set the reason
 * when it cannot be read, is not a regular file or is too large.
 */
static void
read_work(const char *path, struct work *w)
{
	struct hash_sha256 h;
	struct stat sb;
	ssize_t n;
	int fd;

	w->rawlen = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		set_reason(w, "ingest.unreadable", "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		set_reason(w, "ingest.not_file", "not a regular file");
		goto out;
	}
	if ((uint64_t)sb.st_size > max_bytes) {
		set_reason(w, "ingest.too_large", "%lld bytes, limit %llu",
		    (long long)sb.st_size, (unsigned long long)max_bytes);
		goto out;
	}
	hash_sha256_init(&h);
	for (;;) {
		if (w->rawlen == w->rawcap) {
			w->rawcap = w->rawcap ? 2 * w->rawcap : 1 << 16;
			w->raw = erealloc(w->raw, w->rawcap);
		}
		n = read(fd, w->raw + w->rawlen, w->rawcap - w->rawlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_reason(w, "ingest.unreadable", "%s",
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		hash_sha256_update(&h, w->raw + w->rawlen, (size_t)n);
		w->rawlen += (size_t)n;
		/* The file may grow while we read it. */
		if (w->rawlen > max_bytes) {
			set_reason(w, "ingest.too_large", "more than %llu "
			    "bytes", (unsigned long long)max_bytes);
			goto out;
		}
	}
	hash_sha256_hex(&h, w->sha256);
out:
	close(fd);
}

/*
 * Convert w->raw[skip..] from encoding name to UTF-8 into w->conv; return
 * 0, or -1 with the reason set when the bytes are not valid in it.
 */
static int
convert(struct work *w, const char *name, size_t skip)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *cnv;
	size_t srclen = w->rawlen - skip;
	int32_t n;

	if (srclen > INT32_MAX / 4)
		die(EXIT_SOFTWARE, "work too large to convert");
	cnv = ucnv_open(name, &err);
	if (U_FAILURE(err)) {
		set_reason(w, "ingest.encoding", "no converter for %s", name);
		return -1;
	}
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
	    &err);
	/* Three UTF-8 bytes per source byte is the worst case. */
	if (w->convcap < 3 * srclen + 1) {
		w->convcap = 3 * srclen + 1;
		w->conv = erealloc(w->conv, w->convcap);
	}
	n = ucnv_toAlgorithmic(UCNV_UTF8, cnv, w->conv, (int32_t)w->convcap,
	    w->raw + skip, (int32_t)srclen, &err);
	ucnv_close(cnv);
	if (U_FAILURE(err)) {
		set_reason(w, "ingest.encoding", "bytes not valid in %s", name);
		return -1;
	}
	w->text = w->conv;
	w->textlen = (size_t)n;
	snprintf(w->encoding, sizeof(w->encoding), "%s", name);
	return 0;
}

/* Return nonzero if any byte of s is in 0x80..0x9F (C1 in Latin-1). */
static int
has_c1(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 && (unsigned char)s[i] <= 0x9F)
			return 1;
	return 0;
}

/*
 * Return nonzero if s holds at least as many valid multi-byte UTF-8
 * sequences as invalid bytes: damaged UTF-8, which a single-byte decoding
 * would turn into mojibake rather than text.
 */
static int
mostly_utf8(const char *s, size_t len)
{
	size_t good = 0, badbytes = 0, n, i;

	while (len > 0) {
		n = utf8_valid_prefix(s, len);
		/* Count the multi-byte sequences in the valid run. */
		for (i = 0; i < n; i++)
			if (((unsigned char)s[i] & 0xC0) == 0xC0)
				good++;
		if (n == len)
			break;
		badbytes++;
		s += n + 1;
		len -= n + 1;
	}
	return good > 0 && good >= badbytes;
}

/*
 * Ask ICU which encoding explains the bytes; convert with the most
 * confident answer at or above min_confidence.
 */
static void
detect(struct work *w, UCharsetDetector *det)
{
	const UCharsetMatch **m;
	UErrorCode err = U_ZERO_ERROR;
	const char *name;
	int32_t n, i, conf;
	size_t len = w->rawlen < DETECT_PREFIX ? w->rawlen : DETECT_PREFIX;

	ucsdet_setText(det, w->raw, (int32_t)len, &err);
	m = ucsdet_detectAll(det, &n, &err);
	/* ICU reports "no charset matched at all" as this error. */
	if (err == U_INVALID_CHAR_FOUND) {
		set_reason(w, "ingest.encoding", "no encoding explains the "
		    "bytes");
		return;
	}
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU charset detection: %s",
		    u_errorName(err));
	for (i = 0; i < n; i++) {
		conf = ucsdet_getConfidence(m[i], &err);
		name = ucsdet_getName(m[i], &err);
		if (U_FAILURE(err) || conf < min_confidence)
			break;
		/* Not valid UTF-8 by now: a UTF-8 guess is wrong. */
		if (strcmp(name, "UTF-8") == 0)
			continue;
		/*
		 * ICU names Latin-1 what may use windows-1252's printable
		 * 0x80-0x9F (curly quotes, dashes); never decode those as
		 * C1 controls.
		 */
		if (strcmp(name, "ISO-8859-1") == 0 &&
		    has_c1(w->raw, w->rawlen))
			name = "windows-1252";
		if (convert(w, name, 0) == 0)
			return;
		w->reason = NULL;
	}
	set_reason(w, "ingest.encoding", "no encoding explains the bytes%s",
	    n > 0 ? " with confidence" : "");
}

/*
 * Turn w->raw into UTF-8 text in w->text, recording the encoding found;
 * set the reason when the work is empty, binary or undecodable.
 */
static void
decode(struct work *w, UCharsetDetector *det)
{
	static const struct {
		const char *bom;
		size_t	len;
		const char *name;
	} boms[] = {
		/* UTF-32LE's BOM starts like UTF-16LE's: test it first. */
		{ "\xFF\xFE\x00\x00", 4, "UTF-32LE" },
		{ "\x00\x00\xFE\xFF", 4, "UTF-32BE" },
		{ "\xFF\xFE", 2, "UTF-16LE" },
		{ "\xFE\xFF", 2, "UTF-16BE" },
	};
	size_t i, bad;

	w->encoding[0] = '\0';
	if (w->rawlen == 0) {
		set_reason(w, "ingest.empty", "empty file");
		return;
	}
	for (i = 0; i < sizeof(boms) / sizeof(boms[0]); i++)
		if (w->rawlen >= boms[i].len &&
		    memcmp(w->raw, boms[i].bom, boms[i].len) == 0) {
			if (convert(w, boms[i].name, boms[i].len) != 0)
				return;
			goto check;
		}
	if (memchr(w->raw, '\0', w->rawlen) != NULL) {
		set_reason(w, "ingest.binary", "NUL byte at offset %zu",
		    (size_t)((char *)memchr(w->raw, '\0', w->rawlen) - w->raw));
		return;
	}
	bad = utf8_valid_prefix(w->raw, w->rawlen);
	if (bad == w->rawlen) {
		w->text = w->raw;
		w->textlen = w->rawlen;
		strcpy(w->encoding, "UTF-8");
		if (w->rawlen == 3 && memcmp(w->raw, "\xEF\xBB\xBF", 3) == 0)
			w->textlen = 0;
		goto check;
	}
	if (w->rawlen >= 3 && memcmp(w->raw, "\xEF\xBB\xBF", 3) == 0) {
		set_reason(w, "ingest.encoding", "UTF-8 BOM but invalid "
		    "UTF-8 at byte %zu", bad + 1);
		return;
	}
	if (mostly_utf8(w->raw, w->rawlen)) {
		set_reason(w, "ingest.encoding", "UTF-8 with invalid bytes; "
		    "first at byte %zu", bad + 1);
		return;
	}
	detect(w, det);
	if (w->reason != NULL)
		return;
check:
	if (memchr(w->text, '\0', w->textlen) != NULL)
		set_reason(w, "ingest.binary", "NUL character in %s text",
		    w->encoding);
	else if (w->textlen == 0)
		set_reason(w, "ingest.empty", "no text after the byte order "
		    "mark");
}

/* Does a file named as ext lie about content got? */
static int
lies(enum doc_format ext, enum doc_format got)
{
	if (ext == DOC_UNKNOWN)
		return 0;
	if (got == DOC_TEXT)
		return ext != DOC_TEXT && ext != DOC_MARKDOWN;
	return ext != got;
}

/*
 * Office's encryption wraps a whole .docx in an OLE2 compound file whose
 * directory names the stream EncryptedPackage (in UTF-16LE).
 */
static int
ole_encrypted(const char *raw, size_t len)
{
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0"
	    "P\0a\0c\0k\0a\0g\0e\0";
	size_t n = sizeof(name) - 1, i;

	for (i = 0; i + n <= len; i++)
		if (raw[i] == 'E' && memcmp(raw + i, name, n) == 0)
			return 1;
	return 0;
}

/*
 * Read a word-processor or HTML work into d with the reader its content
 * calls for; w->text then points into d.  Set the reason when it cannot.
 */
static void
read_document(struct work *w, struct doc *d)
{
	int r = -1;

	switch (w->format) {
	case DOC_ZIP:
		r = doc_zip(d, w->raw, w->rawlen, &w->format);
		break;
	case DOC_RTF:
		r = doc_rtf(d, w->raw, w->rawlen);
		break;
	case DOC_HTML:
		r = doc_html(d, w->raw, w->rawlen);
		break;
	default:
		die(EXIT_SOFTWARE, "no reader for %s",
		    doc_format_name(w->format));
	}
	if (r != 0) {
		set_reason(w, d->reason, "%s", d->detail);
		return;
	}
	w->text = d->body.s;
	w->textlen = d->body.len;
	snprintf(w->encoding, sizeof(w->encoding), "%s",
	    d->encoding[0] ? d->encoding : "UTF-8");
	if (!utf8_valid(w->text, w->textlen))
		die(EXIT_SOFTWARE, "the %s reader made invalid UTF-8",
		    doc_format_name(w->format));
	if (memchr(w->text, '\0', w->textlen) != NULL)
		set_reason(w, "ingest.binary", "NUL character in the %s text",
		    doc_format_name(w->format));
	else if (w->textlen == strspn(w->text, " \t\r\n"))
		set_reason(w, "ingest.empty", "no text in the %s document",
		    doc_format_name(w->format));
}

/*
 * Find what the work is by its content, refuse an extension that lies
 * about it, and turn it into UTF-8 text: w->text, w->encoding, w->format
 * and, for Markdown, w->title.  Set the reason when it cannot.
 */
static void
convert_work(struct work *w, const char *file, UCharsetDetector *det,
    struct doc *d)
{
	enum doc_format ext = doc_by_name(file);
	size_t skip;

	doc_reset(d);
	w->title = NULL;
	w->format = doc_sniff(w->raw, w->rawlen);
	/* A fragment of HTML is HTML when its name says so. */
	if (w->format == DOC_TEXT && ext == DOC_HTML) {
		for (skip = 0; skip < w->rawlen && (w->raw[skip] == ' ' ||
		    w->raw[skip] == '\t' || w->raw[skip] == '\r' ||
		    w->raw[skip] == '\n'); skip++)
			;
		if (skip < w->rawlen && w->raw[skip] == '<')
			w->format = DOC_HTML;
	}
	switch (w->format) {
	case DOC_OLE:
		if (ole_encrypted(w->raw, w->rawlen))
			set_reason(w, "ingest.encrypted", "an encrypted Office "
			    "document (OLE2 EncryptedPackage)");
		else
			set_reason(w, "ingest.format", "an OLE2 compound file "
			    "(.doc or another legacy Office format)");
		return;
	case DOC_PDF:
		set_reason(w, "ingest.format", "a PDF file");
		return;
	case DOC_ZIP:
		read_document(w, d);
		if (w->reason == NULL && lies(ext, w->format))
			set_reason(w, "ingest.mismatch", "named .%s but the "
			    "content is %s", strrchr(file, '.') + 1,
			    doc_format_name(w->format));
		return;
	case DOC_RTF:
	case DOC_HTML:
	case DOC_TEXT:
		if (lies(ext, w->format)) {
			set_reason(w, "ingest.mismatch", "named .%s but the "
			    "content is %s", strrchr(file, '.') + 1,
			    doc_format_name(w->format));
			return;
		}
		break;
	default:
		break;
	}
	if (w->format != DOC_TEXT) {
		read_document(w, d);
		return;
	}
	decode(w, det);
	if (w->reason != NULL || ext != DOC_MARKDOWN)
		return;
	w->format = DOC_MARKDOWN;
	skip = doc_front_matter(d, w->text, w->textlen);
	w->text += skip;
	w->textlen -= skip;
	w->title = d->title;
	if (w->textlen == 0)
		set_reason(w, "ingest.empty", "no text after the front matter");
}

static void
add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = json_object_new_string(s);

	if (v == NULL)
		die(EXIT_OSERR, "out of memory");
	json_object_object_add(o, key, v);
}

/* An optional manifest value: the string, or null when empty. */
static void
add_opt(struct json_object *o, const char *key, const char *s)
{
	if (s[0] == '\0')
		json_object_object_add(o, key, NULL);
	else
		add_str(o, key, s);
}

/* Build the record of a good work; the caller owns it. */
static struct json_object *
make_record(const struct csv_table *t, const struct columns *c,
    const struct entry *e, const char *id, const struct work *w)
{
	struct json_object *rec, *src, *meta, *text;
	const struct csv_row *row = e->row;
	size_t i;

	rec = json_object_new_object();
	src = json_object_new_object();
	meta = json_object_new_object();
	if (rec == NULL || src == NULL || meta == NULL)
		die(EXIT_OSERR, "out of memory");
	add_str(rec, "id", id);
	add_str(src, "submission", e->submission);
	add_str(src, "file", csvt_cell(row, c->req[2]));
	add_str(src, "sha256", w->sha256);
	add_str(src, "encoding", w->encoding);
	add_str(src, "format", doc_format_name(w->format));
	add_str(src, "converter", doc_converter(w->format));
	json_object_object_add(rec, "source", src);
	add_str(rec, "writer", csvt_cell(row, c->req[1]));
	add_opt(rec, "credit", csvt_cell(row, c->opt[1]));
	/* The manifest's title first, then the front matter's. */
	if (csvt_cell(row, c->opt[0])[0] == '\0' && w->title != NULL)
		add_str(rec, "title", w->title);
	else
		add_opt(rec, "title", csvt_cell(row, c->opt[0]));
	add_str(rec, "submitted", csvt_cell(row, c->req[4]));
	add_opt(rec, "language", csvt_cell(row, c->opt[2]));
	add_opt(rec, "genre", csvt_cell(row, c->opt[3]));
	add_opt(rec, "revision_of", csvt_cell(row, c->opt[4]));
	add_str(rec, "license", csvt_cell(row, c->req[3]));
	for (i = 0; i < t->header.ncells; i++)
		if (c->is_meta[i])
			add_str(meta, t->header.cells[i], csvt_cell(row, i));
	json_object_object_add(rec, "metadata", meta);
	if (w->textlen > INT_MAX)
		die(EXIT_SOFTWARE, "text too large");
	text = json_object_new_string_len(w->text, (int)w->textlen);
	if (text == NULL)
		die(EXIT_OSERR, "out of memory");
	json_object_object_add(rec, "text", text);
	return rec;
}

/*
 * Check what the manifest row says before any file is opened; set the
 * reason on the first problem.
 */
static void
check_row(const struct csv_table *t, const struct columns *c,
    const struct entry *e, struct work *w)
{
	long days;
	int k;

	if (e->row->ncells != t->header.ncells) {
		set_reason(w, "ingest.row", "manifest line %zu: %zu fields, "
		    "header has %zu", e->row->line, e->row->ncells,
		    t->header.ncells);
		return;
	}
	for (k = 0; required[k] != NULL; k++)
		if (csvt_cell(e->row, c->req[k])[0] == '\0') {
			set_reason(w, "ingest.field", "manifest line %zu: "
			    "empty %s", e->row->line, required[k]);
			return;
		}
	if (e->duplicate) {
		set_reason(w, "ingest.duplicate_id", "manifest line %zu: "
		    "submission_id used by more than one row", e->row->line);
		return;
	}
	if (date_parse(csvt_cell(e->row, c->req[4]), &days) != 0)
		set_reason(w, "ingest.date", "manifest line %zu: submitted "
		    "is not an ISO 8601 date", e->row->line);
}

/* Records read by each encoding, counted as they come. */
struct encodings {
	struct encoding {
		char	*name;
		int64_t	n;
	} *v;
	size_t	len;
};

static void
count_encoding(struct encodings *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->len; i++)
		if (strcmp(e->v[i].name, name) == 0) {
			e->v[i].n++;
			return;
		}
	e->v = erealloc(e->v, (e->len + 1) * sizeof(*e->v));
	e->v[e->len].name = estrdup(name);
	e->v[e->len++].n = 1;
}

static int
cmp_encoding(const void *a, const void *b)
{
	return strcmp(((const struct encoding *)a)->name,
	    ((const struct encoding *)b)->name);
}

/*
 * The encoding.NAME figures, by name after the declared ones: an order
 * that does not hang on which records a partition holds, so that the
 * partitions' figures add up to one process's without reading the
 * stream again.  The table is then freed.
 */
static void
add_encodings(struct stats *st, struct encodings *e)
{
	char key[128];
	size_t i;

	if (e->len > 1)
		qsort(e->v, e->len, sizeof(*e->v), cmp_encoding);
	for (i = 0; i < e->len; i++) {
		snprintf(key, sizeof(key), "encoding.%s", e->v[i].name);
		stats_add(st, key, e->v[i].n);
		free(e->v[i].name);
	}
	free(e->v);
}

int
main(int argc, char *argv[])
{
	enum { OPT_SUMS = CLI_VERSION + 1 };
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "sums", required_argument, NULL, OPT_SUMS },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct csv_table *t;
	struct columns cols;
	struct entry *ents;
	struct work w;
	struct rejects rj;
	struct stats st;
	struct encodings enc = { 0 };
	struct progress pg;
	struct json_object *rec;
	struct doc doc;
	UCharsetDetector *det;
	UErrorCode err = U_ZERO_ERROR;
	const char *drop, *manifest = NULL, *sums_path = NULL, *rel;
	struct afile *sums = NULL;
	char *realdrop, *mpath, *real, *slash, id[17], key[80];
	size_t i, j, nents;
	int ch, k;

	cli_init(argv, "quire-ingest");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "c:M:m:p:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'c':
			min_confidence = (int)estrtonum(optarg, 0, 100, "-c");
			break;
		case 'M':
			manifest = optarg;
			break;
		case 'm':
			max_bytes = estrtosize(optarg, 1, (uint64_t)1 << 40,
			    "-m");
			break;
		case OPT_SUMS:
			sums_path = optarg;
			break;
		case 'p':
			/* Partition K of P: the rows whose id hashes to K. */
			if ((slash = strchr(optarg, '/')) == NULL)
				cli_usage_error(usage, "-p: K/P expected: %s",
				    optarg);
			*slash = '\0';
			part_n = (long)estrtonum(slash + 1, 1, 65536, "-p");
			part_k = (long)estrtonum(optarg, 0, part_n - 1, "-p");
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		cli_usage_error(usage, "one DROP folder expected");
	drop = argv[optind];
	realdrop = realpath(drop, NULL);
	if (realdrop == NULL)
		die(EXIT_NOINPUT, "%s:", drop);
	mpath = manifest ? estrdup(manifest) : easprintf("%s/manifest.csv",
	    drop);
	t = csvt_read(mpath, EXIT_NOINPUT, EXIT_DATAERR);
	csvt_require(t, required, EXIT_CONFIG);
	map_columns(t, &cols);

	/* Records leave in submission_id order, whatever the manifest's. */
	ents = ecalloc(t->nrows, sizeof(*ents));
	for (i = 0; i < t->nrows; i++) {
		ents[i].row = &t->rows[i];
		ents[i].submission = csvt_cell(&t->rows[i], cols.req[0]);
	}
	qsort(ents, t->nrows, sizeof(*ents), cmp_entry);
	for (i = 0; i < t->nrows; i = j) {
		for (j = i + 1; j < t->nrows &&
		    strcmp(ents[i].submission, ents[j].submission) == 0; j++)
			;
		if (j - i > 1 && ents[i].submission[0] != '\0')
			while (i < j)
				ents[i++].duplicate = 1;
	}
	for (i = j = 0; i < t->nrows; i++)
		if (part_n == 1 || hash_xxh3_64(ents[i].submission,
		    strlen(ents[i].submission)) % (uint64_t)part_n ==
		    (uint64_t)part_k)
			ents[j++] = ents[i];
	nents = j;

	stats_init(&st, "ingest");
	stats_option(&st, "manifest", manifest ? manifest : "manifest.csv");
	stats_option_int(&st, "max_bytes", (int64_t)max_bytes);
	stats_option_int(&st, "min_confidence", min_confidence);
	stats_add(&st, "raw_bytes", 0);
	stats_add(&st, "converted", 0);
	for (k = 0; k < DOC_NWARN; k++) {
		snprintf(key, sizeof(key), "dropped.%s", doc_warning_name[k]);
		stats_add(&st, key, 0);
	}
	/*
	 * Every format a work can be read as, declared at 0: the figures
	 * then stand in one order whatever the stream holds, and the
	 * partitions of a partitioned run add up to the one-pipe file.
	 */
	for (k = DOC_TEXT; k <= DOC_HTML; k++) {
		snprintf(key, sizeof(key), "format.%s",
		    doc_format_name((enum doc_format)k));
		stats_add(&st, key, 0);
	}
	rej_open(&rj, cli.rejects_path, "ingest", &st);
	if (sums_path != NULL)
		sums = afile_open(sums_path);
	progress_init(&pg, cli.qflag);
	det = ucsdet_open(&err);
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU charset detector: %s",
		    u_errorName(err));
	memset(&w, 0, sizeof(w));
	doc_init(&doc);
	/* A zip's parts may expand to four times the largest work. */
	doc.max_expanded = 4 * max_bytes;

	for (i = 0; i < nents; i++) {
		st.records_in++;
		w.reason = NULL;
		w.rawlen = 0;
		doc_id(ents[i].submission, id);
		check_row(t, &cols, &ents[i], &w);
		real = NULL;
		if (w.reason == NULL)
			real = confine(drop, realdrop,
			    csvt_cell(ents[i].row, cols.req[2]), &w);
		if (real != NULL) {
			read_work(real, &w);
			/*
			 * --sums: the bytes as read.  A name with a newline
			 * or backslash, which sha256sum's format would have
			 * to escape, is left out.
			 */
			rel = real + strlen(realdrop) + 1;
			if (sums != NULL && w.reason == NULL &&
			    strpbrk(rel, "\\\n") == NULL &&
			    fprintf(sums->fp, "%s  %s\n", w.sha256, rel) < 0)
				die(EXIT_IOERR, "write error: %s:", sums_path);
			free(real);
		}
		st.bytes_in += w.rawlen;
		if (w.reason == NULL)
			convert_work(&w, csvt_cell(ents[i].row, cols.req[2]),
			    det, &doc);
		if (w.reason != NULL) {
			rej_row(&rj, ents[i].submission[0] ? id : "",
			    ents[i].submission,
			    csvt_cell(ents[i].row, cols.req[1]), w.reason,
			    w.detail);
			continue;
		}
		stats_add(&st, "raw_bytes", (int64_t)w.rawlen);
		count_encoding(&enc, w.encoding);
		if (strcmp(w.encoding, "UTF-8") != 0)
			stats_add(&st, "converted", 1);
		snprintf(key, sizeof(key), "format.%s",
		    doc_format_name(w.format));
		stats_add(&st, key, 1);
		for (k = 0; k < DOC_NWARN; k++)
			if (doc.warn[k] > 0) {
				snprintf(key, sizeof(key), "dropped.%s",
				    doc_warning_name[k]);
				stats_add(&st, key, doc.warn[k]);
			}
		rec = make_record(t, &cols, &ents[i], id, &w);
		st.bytes_out += record_write(stdout, "<stdout>", rec);
		st.records_out++;
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	progress_done(&pg);
	add_encodings(&st, &enc);
	efshut(stdout, "<stdout>");
	if (sums != NULL)
		afile_commit(sums);
	rej_close(&rj);
	stats_write(&st, cli.stats_path);

	ucsdet_close(det);
	doc_free(&doc);
	stats_free(&st);
	free(w.raw);
	free(w.conv);
	free(ents);
	free(cols.is_meta);
	csvt_free(t);
	free(mpath);
	free(realdrop);
	return EXIT_OK;
}
