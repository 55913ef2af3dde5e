CREATE TABLE `inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`subject` text NOT NULL,
	`source` text NOT NULL,
	`time` text NOT NULL,
	`received_at` text NOT NULL,
	`host` text,
	`severity` text,
	`status` text,
	`summary` text NOT NULL,
	`correlation_id` text,
	`stream_seq` integer,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inbox_time` ON `inbox` (`time`);--> statement-breakpoint
CREATE INDEX `inbox_type` ON `inbox` (`type`);