/* feed: placeholder */
#include "bobao.h"
int bb_feed_main(int argc, char **argv) { (void)argc; (void)argv; return 64; }
