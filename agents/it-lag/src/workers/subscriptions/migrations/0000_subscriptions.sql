CREATE TABLE `bootstrap` (
	`name` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`body` text NOT NULL,
	`fetched_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `firing` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`alert` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `history` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription` text NOT NULL,
	`change` text NOT NULL,
	`by` text NOT NULL,
	`note` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `history_subscription` ON `history` (`subscription`,`at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`next_check` integer DEFAULT 0 NOT NULL,
	`seed` text
);
--> statement-breakpoint
CREATE TABLE `warnings` (
	`subscription` text NOT NULL,
	`date` text NOT NULL,
	`value` text NOT NULL,
	`lead_days` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`subscription`, `date`, `value`, `lead_days`)
);
