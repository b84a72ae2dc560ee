/* main.c - placeholder: the gateway module replaces this file. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "keygate-gateway: not built yet\n");
	return 1;
}
