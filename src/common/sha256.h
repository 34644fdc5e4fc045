/* SHA-256 (FIPS 180-4).  Used by the shim to name its socket the way
 * containerd-shim-runc-v2 does (sha256 of "<address>/<ns>/<group>"). */
#ifndef CLEAT_COMMON_SHA256_H
#define CLEAT_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t buf[64]; /* pending partial block */
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* One-shot digest as 64 lowercase hex characters plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
