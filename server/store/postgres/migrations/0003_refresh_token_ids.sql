ALTER TABLE "refresh_tokens" DROP CONSTRAINT "refresh_tokens_hash_unique";--> statement-breakpoint
ALTER TABLE "refresh_tokens" ADD COLUMN "by_hash" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "refresh_tokens_by_hash_idx" ON "refresh_tokens" USING btree ("hash") WHERE "refresh_tokens"."by_hash";