/*
 * version.h - the release both programs (keygate, keygate-gateway) and
 * the metrics report; a build may set it with -DKEYGATE_VERSION=\"...\".
 */
#ifndef KG_VERSION_H
#define KG_VERSION_H

#ifndef KEYGATE_VERSION
#define KEYGATE_VERSION	"0.1.0"
#endif

#endif /* KG_VERSION_H */
