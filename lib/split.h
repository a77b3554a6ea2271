/*
 * The train/validation split: quire-shard puts a record in validation
 * when the XXH3-64 of its id, modulo a million, is below the validation
 * share in parts per million.  quire-bpe-train --train-split counts the
 * training side of a stream by the same rule, before it is sharded.
 */
#ifndef QUIRE_SPLIT_H
#define QUIRE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#define SPLIT_PPM	1000000

/*
 * Parse SHARE, a decimal fraction in [0,1] with at most six decimals
 * ("0", "0.01", "1", "1.0"), into parts per million, exactly; anything
 * else is a usage error (exit 64) naming opt.
 */
uint32_t split_share(const char *s, const char *opt);

/* Write ppm as the shortest decimal that split_share reads back. */
void	split_share_format(uint32_t ppm, char buf[16]);

/* Whether the record of this id (len bytes, not empty) is validation. */
int	split_is_validation(const char *id, size_t len, uint32_t ppm);

#endif
