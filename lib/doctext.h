/*
 * Submitted documents (.docx, .odt, .rtf, HTML, Markdown front matter) as
 * the plain text of the work.  A struct doc owns its buffers and title;
 * doc_free releases them.  Readers never exit on bad input: they return
 * -1 with doc->reason (a reject reason) and doc->detail set.
 *
 * The text rules, shared by every reader: a paragraph (or heading, list
 * item, block quote paragraph, table row) is one line ending in '\n'; an
 * explicit line break is '\n'; an empty paragraph is an empty line; tabs
 * and leading spaces are kept; a footnote or endnote reference becomes
 * "[N]", N counting references in order, and the notes follow the body
 * after one empty line, each "[N] " and its text.  Comments, hidden text,
 * tracked deletions, images and fields are dropped and counted in warn[];
 * tracked insertions are kept (changes accepted).
 */
#ifndef QUIRE_DOCTEXT_H
#define QUIRE_DOCTEXT_H

#include <stddef.h>
#include <stdint.h>

enum doc_format {
	DOC_UNKNOWN,	/* by extension: no extension quire knows */
	DOC_TEXT,
	DOC_MARKDOWN,
	DOC_DOCX,
	DOC_ODT,
	DOC_RTF,
	DOC_HTML,
	DOC_ZIP,	/* by content: a zip archive, docx or odt or neither */
	DOC_OLE,	/* by content: an OLE2 compound file (.doc, encrypted) */
	DOC_PDF
};

/* What a reader dropped, counted per work. */
enum doc_warning {
	DOC_W_IMAGES,		/* images, drawings, frames, embedded objects */
	DOC_W_FIELDS,		/* fields: dates, page numbers, references */
	DOC_W_COMMENTS,		/* reviewers' comments and annotations */
	DOC_W_HIDDEN,		/* text formatted as hidden */
	DOC_W_DELETIONS,	/* tracked deletions (changes accepted) */
	DOC_W_MACROS,		/* macro code in the container, never run */
	DOC_NWARN
};

/* The warn[] names as --stats spells them ("images", ...). */
extern const char *const doc_warning_name[DOC_NWARN];

/* A growing byte buffer; s is NUL-terminated once anything was added. */
struct dbuf {
	char	*s;
	size_t	len;
	size_t	cap;
};

struct doc {
	struct dbuf body;	/* the text; after a reader, the whole work */
	struct dbuf notes;	/* footnotes while reading */
	struct dbuf *out;	/* where text goes now: &body or &notes */
	int	nnotes;		/* notes referenced so far */
	int	space;		/* HTML: collapsed white space pending */
	int	lead;		/* at a note's start: blanks are dropped */
	long	warn[DOC_NWARN];
	char	encoding[64];	/* of the markup: "UTF-8", "windows-1252" */
	char	*title;		/* Markdown front matter's title, or NULL */
	uint64_t max_expanded;	/* zip: what the parts read may expand to */
	uint64_t budget;	/* zip: bytes the parts may still expand to */
	int	xml_encoding;	/* libxml2 met bytes its encoding lacks */
	const char *reason;	/* reject reason, NULL when read */
	char	detail[256];
};

/*
 * Zip limits: what the parts read may expand to in all (max_expanded, by
 * default this), and how much each part may expand.
 */
#define DOC_ZIP_MAX_EXPANDED	((uint64_t)64 << 20)
#define DOC_ZIP_MAX_RATIO	100
#define DOC_ZIP_RATIO_FLOOR	((uint64_t)1 << 20)	/* ratio checked above */
/* Element or group nesting beyond this is refused as corrupt. */
#define DOC_MAX_DEPTH		256

/* Start with no text and the default limits. */
void	doc_init(struct doc *d);
/* Forget the previous work's text, counts and reason; keep the buffers. */
void	doc_reset(struct doc *d);
void	doc_free(struct doc *d);

/* The format the bytes are, by content alone; DOC_TEXT when none fits. */
enum doc_format doc_sniff(const char *buf, size_t len);
/* The format a file name's extension claims; DOC_UNKNOWN when none. */
enum doc_format doc_by_name(const char *path);
/* "docx", "odt", "rtf", "html", "markdown", "text", ... */
const char *doc_format_name(enum doc_format f);
/*
 * The libraries behind a format's reader with their run-time versions
 * ("libzip 1.7.3, libxml2 2.9.14"); a static string, built on first use.
 */
const char *doc_converter(enum doc_format f);

/*
 * The readers: buf[0..len) to text in d->body (valid UTF-8).  Return 0, or
 * -1 with d->reason set.  doc_zip reads a .docx or an .odt and sets *f to
 * which one it was.
 */
int	doc_zip(struct doc *d, const char *buf, size_t len, enum doc_format *f);
int	doc_rtf(struct doc *d, const char *buf, size_t len);
int	doc_html(struct doc *d, const char *buf, size_t len);

/*
 * Markdown front matter: when UTF-8 text starts with a "---" line, a YAML
 * mapping and a closing "---" or "..." line, return how many bytes of text
 * it and the empty lines after it take, and set d->title to its title (a
 * string) if it has one.  Return 0 when there is no front matter.
 */
size_t	doc_front_matter(struct doc *d, const char *text, size_t len);

/* For the readers: text output, shared by lib/doc*.c. */
void	doc_put(struct doc *d, const char *s, size_t n);
void	doc_putc(struct doc *d, int c);
/* Append code point cp as UTF-8 (U+FFFD for a surrogate or beyond). */
void	doc_put_cp(struct doc *d, uint32_t cp);
/*
 * Append text whose white space collapses (HTML, ODF): a run of spaces,
 * tabs and line ends is one space, none at the start of a line.
 */
void	doc_put_collapsed(struct doc *d, const char *s, size_t n);
/* Write the one space collapsed white space left pending, if any. */
void	doc_flush_space(struct doc *d);
/* End the current line unless it is empty (a block boundary). */
void	doc_break(struct doc *d);
/* Start note n's text in d->notes; doc_note_end returns to the body. */
void	doc_note_begin(struct doc *d, int n);
void	doc_note_end(struct doc *d);
/* Append the notes to the body, after one empty line. */
void	doc_finish(struct doc *d);
/*
 * Make libxml2 quiet and closed before a parse: no loader of external
 * entities or DTDs, no messages on stderr (a broken document is a reject
 * row, not a diagnostic).  Until the next call, libxml2's encoding errors
 * set d->xml_encoding (d may be NULL: none is noted).
 */
void	doc_xml_lock(struct doc *d);
/* Set the reason and detail; returns -1 for "return doc_fail(...)". */
int	doc_fail(struct doc *d, const char *reason, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
