DROP INDEX `refresh_tokens_hash_unique`;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `by_hash` integer DEFAULT true NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_by_hash_idx` ON `refresh_tokens` (`hash`) WHERE "refresh_tokens"."by_hash";