// The extern "C" shim over icu::Normalizer2's UTF-8 API.
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>

extern "C" {
#include "unorm8.h"
#include "util.h"
}

namespace {

// A ByteSink appending to a unorm8_out, so the normal form is written once,
// straight into the caller's reused buffer (a std::string would need a
// second copy out of it).
class OutSink : public icu::ByteSink {
public:
	explicit OutSink(struct unorm8_out *out) : out_(out) { out_->len = 0; }

	void
	Append(const char *bytes, int32_t n) override
	{
		if (n <= 0)
			return;
		// Bytes written into GetAppendBuffer's answer are already here.
		if (bytes != out_->buf + out_->len) {
			reserve((size_t)n);
			memcpy(out_->buf + out_->len, bytes, (size_t)n);
		}
		out_->len += (size_t)n;
	}

	char *
	GetAppendBuffer(int32_t min_capacity, int32_t desired_capacity_hint,
	    char *scratch, int32_t scratch_capacity,
	    int32_t *result_capacity) override
	{
		size_t room;

		if (min_capacity < 1 || scratch_capacity < min_capacity) {
			*result_capacity = 0;
			return nullptr;
		}
		reserve((size_t)(desired_capacity_hint > min_capacity ?
		    desired_capacity_hint : min_capacity));
		room = out_->cap - out_->len;
		*result_capacity = room > INT32_MAX ? INT32_MAX : (int32_t)room;
		(void)scratch;
		return out_->buf + out_->len;
	}

	// Make room for n more bytes, at least doubling to keep appends cheap.
	void
	reserve(size_t n)
	{
		size_t cap;

		if (out_->cap - out_->len >= n)
			return;
		cap = out_->cap * 2;
		if (cap < out_->len + n)
			cap = out_->len + n;
		if (cap < 64)
			cap = 64;
		out_->buf = static_cast<char *>(erealloc(out_->buf, cap));
		out_->cap = cap;
	}

private:
	struct unorm8_out *out_;
};

// Code points in s[0..len): the bytes that are not continuation bytes.
size_t
count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

}	// namespace

extern "C" const struct unorm8 *
unorm8_get(enum unorm8_form form)
{
	UErrorCode err = U_ZERO_ERROR;
	const icu::Normalizer2 *n;

	n = form == UNORM8_NFKC ? icu::Normalizer2::getNFKCInstance(err) :
	    icu::Normalizer2::getNFCInstance(err);
	if (U_FAILURE(err))
		die(EXIT_CONFIG, "ICU normalizer: %s", u_errorName(err));
	return reinterpret_cast<const struct unorm8 *>(n);
}

extern "C" int
unorm8_normalize(const struct unorm8 *un, const char *s, size_t len,
    struct unorm8_out *out)
{
	const icu::Normalizer2 *n =
	    reinterpret_cast<const icu::Normalizer2 *>(un);
	UErrorCode err = U_ZERO_ERROR;
	icu::Edits edits;

	if (len > INT32_MAX)
		die(EXIT_DATAERR, "text of %zu bytes is too long to normalize",
		    len);
	icu::StringPiece sp(s, (int32_t)len);
	// The quick check answers most texts without copying a byte.
	if (n->isNormalizedUTF8(sp, err) && U_SUCCESS(err))
		return 0;
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU normalizer: %s", u_errorName(err));
	OutSink sink(out);
	sink.reserve(len + len / 8 + 16);
	n->normalizeUTF8(0, sp, sink, &edits, err);
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU normalizer: %s", u_errorName(err));
	// ICU merges neighbouring changes into coarse spans of the input.
	out->changed = 0;
	icu::Edits::Iterator it = edits.getCoarseChangesIterator();
	while (it.next(err))
		if (it.hasChange())
			out->changed += count_chars(s + it.sourceIndex(),
			    (size_t)it.oldLength());
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU edits: %s", u_errorName(err));
	return 1;
}

extern "C" const char *
unorm8_unicode_version(void)
{
	static char buf[U_MAX_VERSION_STRING_LENGTH];
	UVersionInfo v;

	if (buf[0] == '\0') {
		u_getUnicodeVersion(v);
		u_versionToString(v, buf);
	}
	return buf;
}
