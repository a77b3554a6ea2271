/*
 * Markdown text that shows exactly the string given, for reports (a
 * writer's statement, CHANGES.md) that quote ids, titles and credits.
 * Strings passed in are borrowed; nothing is kept.
 */
#ifndef QUIRE_MARKDOWN_H
#define QUIRE_MARKDOWN_H

#include <stdio.h>

/*
 * Write s to fp (named name in messages) so that a CommonMark or GitHub
 * renderer shows s and nothing else: what could be markup is escaped
 * with a backslash, and line breaks and other control characters, which
 * could end the line and open a block, are written as spaces.  Never
 * call it where a block could start with s: put text of your own first.
 * A write error is fatal with EXIT_IOERR.
 */
void	md_text(FILE *fp, const char *name, const char *s);

/* The same text as md_text writes, as a new string the caller frees. */
char	*md_escape(const char *s);

#endif
