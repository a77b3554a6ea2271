/*
 * Build a stored (uncompressed) zip in memory around fuzz input given as
 * one XML part, so that the docx and odt targets fuzz the XML-to-text
 * mapping rather than deflate.  The caller frees *zip.
 */
#ifndef QUIRE_FUZZ_XMLZIP_H
#define QUIRE_FUZZ_XMLZIP_H

#include <stdlib.h>
#include <string.h>

#include <zip.h>

struct xmlzip_part {
	const char *name;
	const void *data;
	size_t	len;
};

static inline int
xmlzip_build(const struct xmlzip_part *parts, int n, char **zip,
    size_t *len)
{
	zip_source_t *src, *part;
	zip_t *za;
	zip_stat_t st;
	zip_int64_t idx;
	int i;

	src = zip_source_buffer_create(NULL, 0, 0, NULL);
	if (src == NULL)
		abort();
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
	if (za == NULL)
		abort();
	for (i = 0; i < n; i++) {
		part = zip_source_buffer(za, parts[i].data, parts[i].len, 0);
		idx = zip_file_add(za, parts[i].name, part, ZIP_FL_ENC_UTF_8);
		if (part == NULL || idx < 0)
			abort();
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE,
		    0);
	}
	if (zip_close(za) != 0)
		abort();
	if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
		abort();
	*len = (size_t)st.size;
	*zip = malloc(*len + 1);
	if (*zip == NULL || zip_source_read(src, *zip, st.size) !=
	    (zip_int64_t)st.size)
		abort();
	zip_source_close(src);
	zip_source_free(src);
	return 0;
}

#endif
