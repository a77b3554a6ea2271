// The extern "C" shim over icu::Normalizer2's UTF-8 API.
#include <cstdlib>
#include <cstring>
#include <string>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

extern "C" {
#include "unorm8.h"
#include "util.h"
}

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
    char **out, size_t *outlen)
{
	const icu::Normalizer2 *n =
	    reinterpret_cast<const icu::Normalizer2 *>(un);
	UErrorCode err = U_ZERO_ERROR;
	icu::StringPiece sp(s, (int32_t)len);
	std::string buf;

	if (len > INT32_MAX)
		die(EXIT_DATAERR, "text of %zu bytes is too long to normalize",
		    len);
	// The quick check answers most texts without copying a byte.
	if (n->isNormalizedUTF8(sp, err) && U_SUCCESS(err))
		return 0;
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU normalizer: %s", u_errorName(err));
	buf.reserve(len + len / 8 + 16);
	icu::StringByteSink<std::string> sink(&buf);
	n->normalizeUTF8(0, sp, sink, nullptr, err);
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU normalizer: %s", u_errorName(err));
	*out = estrndup(buf.data(), buf.size());
	*outlen = buf.size();
	return 1;
}
