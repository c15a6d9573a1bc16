CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`session_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`spent_at` integer,
	`successor_id` text,
	`successor_box` blob,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_hash_unique` ON `refresh_tokens` (`hash`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_session_id_idx` ON `refresh_tokens` (`session_id`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_unspent_expires_at_idx` ON `refresh_tokens` (`expires_at`) WHERE "refresh_tokens"."spent_at" IS NULL;--> statement-breakpoint
CREATE INDEX `refresh_tokens_boxed_spent_at_idx` ON `refresh_tokens` (`spent_at`) WHERE "refresh_tokens"."successor_box" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `secret_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`hash` text NOT NULL,
	`display_prefix` text NOT NULL,
	`mode` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "secret_keys_mode_check" CHECK("secret_keys"."mode" IN ('live', 'test'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `secret_keys_hash_unique` ON `secret_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `secret_keys_account_id_idx` ON `secret_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`widget_id` text NOT NULL,
	`client_key` text NOT NULL,
	`visitor_id` text NOT NULL,
	`kind` text NOT NULL,
	`user_id` text,
	`name` text,
	`email` text,
	`metadata` text,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`widget_id`) REFERENCES `widgets`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "sessions_kind_check" CHECK("sessions"."kind" IN ('guest', 'user'))
);
--> statement-breakpoint
CREATE INDEX `sessions_expires_at_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_revoked_at_idx` ON `sessions` (`revoked_at`) WHERE "sessions"."revoked_at" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`alg` text NOT NULL,
	`private_jwk` text NOT NULL,
	`public_jwk` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer,
	CONSTRAINT "signing_keys_alg_check" CHECK("signing_keys"."alg" = 'ES256')
);
--> statement-breakpoint
CREATE TABLE `spent_visitor_tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`spent_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`session_id` text
);
--> statement-breakpoint
CREATE INDEX `spent_visitor_tokens_expires_at_idx` ON `spent_visitor_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `widgets` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`client_key` text NOT NULL,
	`name` text NOT NULL,
	`mode` text NOT NULL,
	`origins` text NOT NULL,
	`settings` text NOT NULL,
	`guest_enabled` integer NOT NULL,
	`disabled` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "widgets_mode_check" CHECK("widgets"."mode" IN ('live', 'test'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `widgets_client_key_unique` ON `widgets` (`client_key`);