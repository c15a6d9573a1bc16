CREATE TABLE "user_revocations" (
	"widget_id" text NOT NULL,
	"user_id" text NOT NULL,
	"revoked_at" bigint NOT NULL,
	CONSTRAINT "user_revocations_widget_id_user_id_pk" PRIMARY KEY("widget_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "secret_keys" ADD COLUMN "expires_at" bigint;--> statement-breakpoint
-- Hand-edited: the keys that exist already signed from their creation.
ALTER TABLE "signing_keys" ADD COLUMN "activates_at" bigint;--> statement-breakpoint
UPDATE "signing_keys" SET "activates_at" = "created_at";--> statement-breakpoint
ALTER TABLE "signing_keys" ALTER COLUMN "activates_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "withdrawn_at" bigint;--> statement-breakpoint
ALTER TABLE "user_revocations" ADD CONSTRAINT "user_revocations_widget_id_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."widgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_widget_id_user_id_idx" ON "sessions" USING btree ("widget_id","user_id");--> statement-breakpoint
-- Hand-written (drizzle-kit does not express triggers). The kill switch: disabling a widget ends
-- every session of it in the same transaction, so enabling it again resurrects none.
CREATE FUNCTION "kataven_end_widget_sessions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "sessions" SET "revoked_at" = NEW."updated_at" WHERE "widget_id" = NEW."id" AND "revoked_at" IS NULL;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "widgets_disable_ends_sessions" AFTER UPDATE OF "disabled" ON "widgets"
	FOR EACH ROW WHEN (NEW."disabled") EXECUTE FUNCTION "kataven_end_widget_sessions"();
--> statement-breakpoint
-- A rolled key's expiry is an admin change like its revocation.
CREATE TRIGGER "secret_keys_expiry" AFTER UPDATE OF "expires_at" ON "secret_keys"
	FOR EACH ROW WHEN (OLD."expires_at" IS DISTINCT FROM NEW."expires_at")
	EXECUTE FUNCTION "kataven_bump_admin_changes"();
