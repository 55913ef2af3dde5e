CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`requester` text NOT NULL,
	`state` text NOT NULL,
	`received_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`cost_cents` integer,
	`cost_currency` text,
	`record` text NOT NULL,
	`published` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `approvals_state` ON `approvals` (`state`,`expires_at`);--> statement-breakpoint
CREATE INDEX `approvals_received` ON `approvals` (`received_at`);--> statement-breakpoint
CREATE TABLE `daily_reports` (
	`day` text PRIMARY KEY NOT NULL,
	`received_at` text NOT NULL,
	`report` text NOT NULL
);
