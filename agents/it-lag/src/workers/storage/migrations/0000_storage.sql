CREATE TABLE `levels` (
	`host` text NOT NULL,
	`mount` text NOT NULL,
	`level` text NOT NULL,
	`since` integer NOT NULL,
	PRIMARY KEY(`host`, `mount`)
);
--> statement-breakpoint
CREATE TABLE `libraries` (
	`name` text PRIMARY KEY NOT NULL,
	`path` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`mount` text NOT NULL,
	`state` text NOT NULL,
	`requester` text NOT NULL,
	`key` text,
	`expires_at` integer NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reservations_volume` ON `reservations` (`host`,`mount`,`state`);--> statement-breakpoint
CREATE INDEX `reservations_key` ON `reservations` (`requester`,`key`);