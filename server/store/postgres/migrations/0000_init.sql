CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_changes" (
	"id" smallint PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	CONSTRAINT "admin_changes_one_row" CHECK ("admin_changes"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"session_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"spent_at" bigint,
	"successor_id" text,
	"successor_box" "bytea",
	CONSTRAINT "refresh_tokens_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "secret_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"hash" text NOT NULL,
	"display_prefix" text NOT NULL,
	"mode" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"revoked_at" bigint,
	CONSTRAINT "secret_keys_hash_unique" UNIQUE("hash"),
	CONSTRAINT "secret_keys_mode_check" CHECK ("secret_keys"."mode" IN ('live', 'test'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"widget_id" text NOT NULL,
	"client_key" text NOT NULL,
	"visitor_id" text NOT NULL,
	"kind" text NOT NULL,
	"user_id" text,
	"name" text,
	"email" text,
	"metadata" jsonb,
	"origin" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"revoked_at" bigint,
	CONSTRAINT "sessions_kind_check" CHECK ("sessions"."kind" IN ('guest', 'user'))
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"private_jwk" jsonb NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"retired_at" bigint,
	CONSTRAINT "signing_keys_alg_check" CHECK ("signing_keys"."alg" = 'ES256')
);
--> statement-breakpoint
CREATE TABLE "spent_visitor_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"spent_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"session_id" text
);
--> statement-breakpoint
CREATE TABLE "widgets" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"client_key" text NOT NULL,
	"name" text NOT NULL,
	"mode" text NOT NULL,
	"origins" jsonb NOT NULL,
	"settings" jsonb NOT NULL,
	"guest_enabled" boolean NOT NULL,
	"disabled" boolean NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "widgets_client_key_unique" UNIQUE("client_key"),
	CONSTRAINT "widgets_mode_check" CHECK ("widgets"."mode" IN ('live', 'test'))
);
--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "secret_keys" ADD CONSTRAINT "secret_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_widget_id_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."widgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "widgets" ADD CONSTRAINT "widgets_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_id_idx" ON "refresh_tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "refresh_tokens_unspent_expires_at_idx" ON "refresh_tokens" USING btree ("expires_at") WHERE "refresh_tokens"."spent_at" IS NULL;--> statement-breakpoint
CREATE INDEX "refresh_tokens_boxed_spent_at_idx" ON "refresh_tokens" USING btree ("spent_at") WHERE "refresh_tokens"."successor_box" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "secret_keys_account_id_idx" ON "secret_keys" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sessions_revoked_at_idx" ON "sessions" USING btree ("revoked_at") WHERE "sessions"."revoked_at" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_current_idx" ON "signing_keys" USING btree (("retired_at" IS NULL)) WHERE "signing_keys"."retired_at" IS NULL;--> statement-breakpoint
CREATE INDEX "spent_visitor_tokens_expires_at_idx" ON "spent_visitor_tokens" USING btree ("expires_at");