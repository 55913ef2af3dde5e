CREATE TABLE `firing` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`alert` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pending_images` (
	`container` text PRIMARY KEY NOT NULL,
	`what` text NOT NULL,
	`since` integer NOT NULL,
	`reported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `results` (
	`task` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `truncations` (
	`request_id` text PRIMARY KEY NOT NULL,
	`container` text NOT NULL,
	`log_path` text NOT NULL,
	`bytes` integer NOT NULL,
	`state` text NOT NULL,
	`at` integer NOT NULL,
	`note` text
);
