/* Throughput of bb_normalize: normalizes every line of a file, repeated until at least
 * --mb megabytes went through, and prints MB/s. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench_normalize_tool FILE [MB]   */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bobao.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_normalize_tool FILE [MB]\n");
		return 64;
	}
	double want = argc > 2 ? atof(argv[2]) : 50;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 66;
	}
	static struct bb_text lines[4096];
	size_t n = 0, bytes = 0;
	char buf[65536];
	while (n < sizeof lines / sizeof lines[0] && fgets(buf, sizeof buf, f)) {
		size_t len = strcspn(buf, "\n");
		struct bb_text *t = &lines[n];
		memset(t, 0, sizeof *t);
		if (len == 0 || bb_text_track(t) != BB_OK)
			continue;
		for (size_t i = 0; i < len; i++) /* each byte maps to itself, as from the article */
			bb_text_add(t, buf + i, 1, (struct bb_span){i, i + 1});
		bytes += len;
		n++;
	}
	fclose(f);
	if (!bytes) {
		fprintf(stderr, "%s: no text\n", argv[1]);
		return 65;
	}
	struct bb_text out = {0};
	struct bb_error err = {0};
	size_t done = 0, outbytes = 0;
	double t0 = now();
	while ((double)done < want * 1e6) {
		for (size_t i = 0; i < n; i++) {
			out.len = 0;
			if (!out.src)
				bb_text_track(&out);
			if (bb_normalize(&lines[i], &out, &err) != BB_OK) {
				fprintf(stderr, "normalize: %s\n", err.msg);
				return 70;
			}
			outbytes += out.len;
		}
		done += bytes;
	}
	double dt = now() - t0;
	printf("normalize: %.1f MB in %.3f s: %.1f MB/s (%zu lines, %zu bytes out)\n", done / 1e6, dt,
	       done / 1e6 / dt, n, outbytes);
	for (size_t i = 0; i < n; i++)
		bb_text_free(&lines[i]);
	bb_text_free(&out);
	return 0;
}
