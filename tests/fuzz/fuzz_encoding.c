/*
 * libFuzzer target: quire-ingest's reading of one work's bytes — encoding
 * detection and conversion (BOMs, UTF-8 checks, ICU's detector and
 * converters), the sniffing of formats, the readers it calls and
 * Markdown front matter — through convert_work, static in ingest.c, with
 * main renamed.  The first byte picks the file name (so the extension
 * rules run) and the minimum confidence; the rest is the work.
 */
#define main ingest_main
#include "../../filters/ingest.c"
#undef main

#include <stdint.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"w.txt", "w.md", "w.html", "w", "w.rtf", "w.docx", "w.odt",
		"w.TXT"
	};
	static UCharsetDetector *det;
	static struct work w;
	static struct doc d;
	UErrorCode err = U_ZERO_ERROR;
	const char *name;

	if (size == 0)
		return 0;
	if (det == NULL) {
		det = ucsdet_open(&err);
		if (U_FAILURE(err))
			abort();
		doc_init(&d);
		d.max_expanded = 4 * max_bytes;
	}
	name = names[data[0] & 7];
	min_confidence = 10 + 10 * (data[0] >> 6);
	data++;
	size--;
	if (w.rawcap < size + 1) {
		w.rawcap = size + 1;
		w.raw = erealloc(w.raw, w.rawcap);
	}
	memcpy(w.raw, data, size);
	w.rawlen = size;
	w.reason = NULL;
	w.text = NULL;
	w.textlen = 0;
	convert_work(&w, name, det, &d);
	if (w.reason != NULL) {
		/* A refusal names a documented ingest reason. */
		if (strncmp(w.reason, "ingest.", 7) != 0 || w.detail[0] == '\0')
			abort();
		return 0;
	}
	/* Accepted: valid UTF-8 without NUL, not empty, an encoding named. */
	if (w.text == NULL || w.textlen == 0 || w.encoding[0] == '\0' ||
	    !utf8_valid(w.text, w.textlen) ||
	    memchr(w.text, '\0', w.textlen) != NULL)
		abort();
	if (w.format == DOC_MARKDOWN && strcmp(name, "w.md") != 0)
		abort();
	return 0;
}
