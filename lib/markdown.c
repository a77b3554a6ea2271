/* Markdown text that cannot be read as markup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

/*
 * Does the character at s (inside str) need a backslash?  Those that can
 * start markup inside a line in CommonMark or GitHub's Markdown do:
 * '\\' itself, '`' (code), '*' and '_' (emphasis), '[' and ']' (links and
 * images), '<' and '>' (raw HTML, autolinks), '&' (entities), '#' (a
 * heading's closing sequence), '|' (tables), '~' (strikethrough), '$'
 * (math) and '!' (an image before '[').  So do the ':' of "://" and the
 * '.' of "www.", which GitHub would otherwise turn into links by
 * themselves.
 */
static int
special(const char *str, const char *s)
{
	if (strchr("\\`*_[]<>&#|~$!", *s) != NULL)
		return 1;
	if (*s == ':')
		return s[1] == '/' && s[2] == '/';
	if (*s == '.' && s - str >= 3)
		return (s[-3] | 0x20) == 'w' && (s[-2] | 0x20) == 'w' &&
		    (s[-1] | 0x20) == 'w';
	return 0;
}

char *
md_escape(const char *s)
{
	const char *str = s;
	char *out = emalloc(2 * strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7F) {
			*o++ = ' ';
			continue;
		}
		if (special(str, s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

void
md_text(FILE *fp, const char *name, const char *s)
{
	char *esc = md_escape(s);

	efwrite(esc, strlen(esc), fp, name);
	free(esc);
}
