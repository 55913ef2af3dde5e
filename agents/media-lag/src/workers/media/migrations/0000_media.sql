CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `imports_state` ON `imports` (`state`);--> statement-breakpoint
CREATE TABLE `volume_levels` (
	`host` text NOT NULL,
	`mount` text NOT NULL,
	`level` text NOT NULL,
	PRIMARY KEY(`host`, `mount`)
);
