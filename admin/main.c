/*
 * pitwall-admin: the operator's command line.  Talks to PostgreSQL
 * directly and refreshes the Redis caches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pitwall-admin config markdown|example|check\n");
}

static int
cmd_config(int argc, char *argv[])
{
	struct config cfg;

	if (argc < 1) {
		usage();
		return 64;
	}
	if (strcmp(argv[0], "markdown") == 0) {
		config_print_markdown(stdout);
		return 0;
	}
	if (strcmp(argv[0], "example") == 0) {
		config_print_example(stdout);
		return 0;
	}
	if (strcmp(argv[0], "check") == 0) {
		config_load_or_exit(&cfg, CONFIG_NEED_JWT | CONFIG_NEED_CALLBACK |
		    CONFIG_NEED_DB, "pitwall-admin");
		config_free(&cfg);
		printf("configuration ok\n");
		return 0;
	}
	usage();
	return 64;
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		usage();
		return 64;
	}
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 2, argv + 2);
	usage();
	return 64;
}
