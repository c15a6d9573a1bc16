CREATE TABLE `user_revocations` (
	`widget_id` text NOT NULL,
	`user_id` text NOT NULL,
	`revoked_at` integer NOT NULL,
	PRIMARY KEY(`widget_id`, `user_id`),
	FOREIGN KEY (`widget_id`) REFERENCES `widgets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `secret_keys` ADD `expires_at` integer;--> statement-breakpoint
-- Hand-edited: SQLite adds a NOT NULL column to existing rows only with a default; the keys that
-- exist already signed from their creation.
ALTER TABLE `signing_keys` ADD `activates_at` integer NOT NULL DEFAULT 0;--> statement-breakpoint
UPDATE `signing_keys` SET `activates_at` = `created_at`;--> statement-breakpoint
ALTER TABLE `signing_keys` ADD `withdrawn_at` integer;--> statement-breakpoint
CREATE INDEX `sessions_widget_id_user_id_idx` ON `sessions` (`widget_id`,`user_id`);--> statement-breakpoint
-- Hand-written (drizzle-kit does not express triggers). The kill switch: disabling a widget ends
-- every session of it in the same transaction, so enabling it again resurrects none.
CREATE TRIGGER `widgets_disable_ends_sessions` AFTER UPDATE OF `disabled` ON `widgets`
WHEN NEW.`disabled` = 1
BEGIN
	UPDATE `sessions` SET `revoked_at` = NEW.`updated_at` WHERE `widget_id` = NEW.`id` AND `revoked_at` IS NULL;
END;
--> statement-breakpoint
-- A rolled key's expiry is an admin change like its revocation.
CREATE TRIGGER `secret_keys_admin_change_expiry` AFTER UPDATE OF `expires_at` ON `secret_keys`
WHEN OLD.`expires_at` IS NOT NEW.`expires_at`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
