CREATE TABLE `actions` (
	`request_id` text PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`status` text NOT NULL,
	`decision` text,
	`result` text,
	`verify_timeout_ms` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `actions_incident` ON `actions` (`incident_id`);--> statement-breakpoint
CREATE TABLE `firings` (
	`fingerprint` text NOT NULL,
	`rule` text NOT NULL,
	`host` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `firings_at` ON `firings` (`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `firings_once` ON `firings` (`fingerprint`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text NOT NULL,
	`severity` text NOT NULL,
	`state` text NOT NULL,
	`opened_at` integer NOT NULL,
	`acked_at` integer,
	`resolved_at` integer,
	`summary` text NOT NULL,
	`alerts` text NOT NULL,
	`quiet_since` integer
);
--> statement-breakpoint
CREATE INDEX `incidents_state` ON `incidents` (`state`);--> statement-breakpoint
CREATE INDEX `incidents_opened` ON `incidents` (`opened_at`);--> statement-breakpoint
CREATE TABLE `silences` (
	`id` text PRIMARY KEY NOT NULL,
	`silence` text NOT NULL,
	`ends_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `timeline` (
	`incident_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` text NOT NULL,
	`kind` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor` text NOT NULL,
	`note` text NOT NULL,
	`data` text,
	PRIMARY KEY(`incident_id`, `seq`)
);
