-- Admin changes propagate to every instance: each one bumps admin_changes.version in its own
-- transaction and announces the new version on the kataven_admin_changes channel. NOTIFY is
-- delivered at commit and never replayed, so instances also poll the counter.
INSERT INTO "admin_changes" ("id", "version") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION "kataven_bump_admin_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	next_version bigint;
BEGIN
	-- The row lock serialises concurrent admin changes, so versions commit in order.
	UPDATE "admin_changes" SET "version" = "version" + 1 WHERE "id" = 1 RETURNING "version" INTO next_version;
	PERFORM pg_notify('kataven_admin_changes', next_version::text);
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "widgets_admin_change" AFTER INSERT OR UPDATE OR DELETE ON "widgets"
	FOR EACH ROW EXECUTE FUNCTION "kataven_bump_admin_changes"();
--> statement-breakpoint
-- Not on last_used_at: the hot user-token path touches it.
CREATE TRIGGER "secret_keys_created" AFTER INSERT ON "secret_keys"
	FOR EACH ROW EXECUTE FUNCTION "kataven_bump_admin_changes"();
--> statement-breakpoint
CREATE TRIGGER "secret_keys_revoked" AFTER UPDATE OF "revoked_at" ON "secret_keys"
	FOR EACH ROW WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at")
	EXECUTE FUNCTION "kataven_bump_admin_changes"();
--> statement-breakpoint
CREATE TRIGGER "signing_keys_admin_change" AFTER INSERT OR UPDATE OR DELETE ON "signing_keys"
	FOR EACH ROW EXECUTE FUNCTION "kataven_bump_admin_changes"();
