CREATE TABLE `admin_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "admin_changes_one_row" CHECK("admin_changes"."id" = 1)
);
