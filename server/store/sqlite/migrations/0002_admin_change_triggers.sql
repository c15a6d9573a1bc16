-- Every admin change bumps admin_changes.version in its own transaction, so another connection
-- (another instance, the admin CLI) sees the change and the bump together. Hand-written:
-- drizzle-kit does not express triggers. Touches of secret_keys.last_used_at do not count.
INSERT INTO `admin_changes` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `widgets_admin_change_insert` AFTER INSERT ON `widgets`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `widgets_admin_change_update` AFTER UPDATE ON `widgets`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `widgets_admin_change_delete` AFTER DELETE ON `widgets`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `secret_keys_admin_change_insert` AFTER INSERT ON `secret_keys`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `secret_keys_admin_change_revoke` AFTER UPDATE OF `revoked_at` ON `secret_keys`
WHEN OLD.`revoked_at` IS NOT NEW.`revoked_at`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `signing_keys_admin_change_insert` AFTER INSERT ON `signing_keys`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `signing_keys_admin_change_update` AFTER UPDATE ON `signing_keys`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `signing_keys_admin_change_delete` AFTER DELETE ON `signing_keys`
BEGIN
	UPDATE `admin_changes` SET `version` = `version` + 1 WHERE `id` = 1;
END;
