CREATE TABLE `firing_alerts` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`alert` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `run_repositories` (
	`run_id` text NOT NULL,
	`repository` text NOT NULL,
	`status` text NOT NULL,
	`snapshot_id` text,
	`files_new` integer,
	`files_changed` integer,
	`files_processed` integer,
	`bytes_added` integer,
	`bytes_processed` integer,
	`duration_ms` integer,
	`error` text,
	`finished_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `repository`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `runs_plan` ON `runs` (`plan`,`started_at`);--> statement-breakpoint
CREATE TABLE `stopped_containers` (
	`container` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`run_id` text NOT NULL,
	`stopped_at` integer NOT NULL
);
