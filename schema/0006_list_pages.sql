-- 0006_list_pages.sql - indexes for pages of lists (?limit= and ?marker=).
--
-- A page is the rows after the marker's id, in id order (Keystone 2025.1
-- sorts its pages by id). Unfiltered, it is a range of the primary key;
-- a domain's projects, users and groups (a domain-scoped caller's lists,
-- ?domain_id=) are a range of these, so that a page costs the rows it
-- returns however many other domains hold.
CREATE INDEX project_domain_page ON project (domain_id, id);
CREATE INDEX user_domain_page ON "user" (domain_id, id);
CREATE INDEX grp_domain_page ON grp (domain_id, id);
