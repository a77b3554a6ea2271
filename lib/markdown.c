/* Markdown text that cannot be read as markup. */
#include <stdio.h>
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

void
md_text(FILE *fp, const char *name, const char *s)
{
	const char *str = s, *run;
	char esc[2] = { '\\', 0 };

	while (*s != '\0') {
		for (run = s; *s != '\0' && (unsigned char)*s >= 0x20 &&
		    *s != 0x7F && !special(str, s); s++)
			;
		efwrite(run, (size_t)(s - run), fp, name);
		if (*s == '\0')
			break;
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			efwrite(" ", 1, fp, name);
		else {
			esc[1] = *s;
			efwrite(esc, 2, fp, name);
		}
		s++;
	}
}
