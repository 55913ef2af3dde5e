CREATE TABLE `approval_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`address` text NOT NULL,
	`summary` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	`closed` text
);
--> statement-breakpoint
CREATE INDEX `approval_codes_request` ON `approval_codes` (`request_id`);--> statement-breakpoint
CREATE TABLE `cursors` (
	`mailbox` text PRIMARY KEY NOT NULL,
	`uid_validity` text NOT NULL,
	`last_uid` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`incident` text NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`at` integer NOT NULL,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notifications_incident` ON `notifications` (`incident`,`at`);--> statement-breakpoint
CREATE INDEX `notifications_at` ON `notifications` (`at`);--> statement-breakpoint
CREATE TABLE `outgoing` (
	`id` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text,
	`message_id` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`queued_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`sent_at` integer,
	`last_error` text,
	`incident` text,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `outgoing_due` ON `outgoing` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outgoing_incident` ON `outgoing` (`incident`,`queued_at`);--> statement-breakpoint
CREATE TABLE `processed` (
	`mailbox` text NOT NULL,
	`uid_validity` text NOT NULL,
	`uid` integer NOT NULL,
	`message_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`mailbox`, `uid_validity`, `uid`)
);
--> statement-breakpoint
CREATE INDEX `processed_message` ON `processed` (`message_id`);--> statement-breakpoint
CREATE TABLE `reports` (
	`day` text PRIMARY KEY NOT NULL,
	`report` text NOT NULL,
	`received_at` integer NOT NULL
);
