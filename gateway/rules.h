/*
 * rules.h - `keygate-gateway rules`: print the netfilter rules that send
 * the configured ports through the gateway and act on its marks, as a
 * shell script (iptables/ip6tables commands) or an nft ruleset.
 *
 * The iptables form is the one that works on every kernel with
 * xt_NFQUEUE; the nft form needs CONFIG_NFT_QUEUE (absent on some
 * kernels, where nft refuses "queue").
 */
#ifndef KG_GATEWAY_RULES_H
#define KG_GATEWAY_RULES_H

#include <stdio.h>

#include "gateway/conf.h"

#define RULES_NFT	0x1	/* nft ruleset instead of iptables commands */
#define RULES_DELETE	0x2	/* the commands that remove the rules */

/* Print the rules for c to fp. */
void	gw_rules_print(FILE *fp, const struct gw_conf *c, int flags);

#endif /* KG_GATEWAY_RULES_H */
