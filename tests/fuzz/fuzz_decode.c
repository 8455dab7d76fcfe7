/* Fuzz target: bb_decode on arbitrary bytes, detecting the encoding (strict and lenient) and with
 * a named one (the first byte picks it and leniency, the rest is decoded).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

/* What --encoding may name: the detected ones, stateful and wide ones, and an unknown name. */
static const char *const decode_encodings[] = {
	"UTF-8", "GB18030", "GBK", "CP936", "BIG5", "CP950", "BIG5-HKSCS", "UTF-16", "UTF-16LE",
	"UTF-16BE", "UTF-32", "UTF-7", "ISO-2022-CN", "ISO-2022-JP", "HZ", "EUC-TW", "LATIN1",
	"no-such-encoding",
};

/* Decoded text is what the contract says: UTF-8, NUL-terminated, no NUL, CR or control
 * character but tab, newline and form feed; empty on error. */
static void decode_once(const char *bytes, size_t n, const char *encoding, int lenient)
{
	struct bb_read_opts opts = {encoding, 0, lenient};
	struct bb_read_info info;
	struct bb_text t;
	struct bb_error err = {0};
	int rc = bb_decode(bytes, n, &opts, &t, &info, &err);
	if (rc != BB_OK) {
		FUZZ_CHECK(!t.s && !t.len && err.msg[0] && rc == err.code);
		return;
	}
	FUZZ_CHECK(t.s && t.s[t.len] == '\0' && info.encoding);
	FUZZ_CHECK(bb_utf8_check(t.s, t.len) == t.len && strlen(t.s) == t.len);
	for (size_t i = 0; i < t.len;) {
		uint32_t cp;
		i += bb_utf8_decode(t.s + i, t.len - i, &cp);
		FUZZ_CHECK(cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\f');
		FUZZ_CHECK(cp < 0x7F || cp > 0x9F);
	}
	FUZZ_CHECK(lenient || !info.invalid);
	bb_text_free(&t);
}

static int fuzz_decode(const uint8_t *data, size_t size)
{
	decode_once((const char *)data, size, NULL, 0);
	decode_once((const char *)data, size, NULL, 1);
	if (size) {
		size_t pick = data[0] % (sizeof decode_encodings / sizeof decode_encodings[0]);
		decode_once((const char *)data + 1, size - 1, decode_encodings[pick], data[0] >> 7);
	}
	return 0;
}

FUZZ_ENTRY(fuzz_decode)
