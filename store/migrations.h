/* migrations.h - the schema migrations compiled into the binary
 * (generated from schema/NNNN_*.sql by scripts/embed-sql). */
#ifndef KG_MIGRATIONS_H
#define KG_MIGRATIONS_H

struct migration {
	int		 version;	/* NNNN from the file name */
	const char	*name;		/* file name without .sql */
	const char	*sql;		/* the whole script */
};

/* Ordered by version, terminated by { 0, NULL, NULL }. */
extern const struct migration kg_migrations[];

#endif /* KG_MIGRATIONS_H */
