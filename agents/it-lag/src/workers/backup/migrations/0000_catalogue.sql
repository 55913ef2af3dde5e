CREATE TABLE `drills` (
	`run_id` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`repository` text NOT NULL,
	`snapshot_id` text,
	`at` integer NOT NULL,
	`passed` integer NOT NULL,
	`files_compared` integer NOT NULL,
	`bytes` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `drills_plan` ON `drills` (`plan`,`at`);--> statement-breakpoint
CREATE TABLE `firing_alerts` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`alert` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pending_restores` (
	`request_id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`request` text NOT NULL,
	`state` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `run_repositories` (
	`run_id` text NOT NULL,
	`repository` text NOT NULL,
	`part` text NOT NULL,
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
	PRIMARY KEY(`run_id`, `repository`, `part`)
);
--> statement-breakpoint
CREATE INDEX `run_repositories_repo` ON `run_repositories` (`repository`,`finished_at`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`error` text,
	`pid` integer
);
--> statement-breakpoint
CREATE INDEX `runs_plan` ON `runs` (`plan`,`started_at`);--> statement-breakpoint
CREATE TABLE `stopped_containers` (
	`container` text PRIMARY KEY NOT NULL,
	`plan` text NOT NULL,
	`run_id` text NOT NULL,
	`stopped_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `verification` (
	`repository` text PRIMARY KEY NOT NULL,
	`next_slice` integer NOT NULL,
	`done` integer NOT NULL,
	`slices` integer NOT NULL,
	`last_data_at` integer,
	`last_data_ok` integer,
	`last_metadata_at` integer,
	`last_metadata_ok` integer
);
