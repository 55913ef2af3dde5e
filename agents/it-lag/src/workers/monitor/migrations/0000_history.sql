CREATE TABLE `rollup_1h` (
	`series_bucket` integer PRIMARY KEY NOT NULL,
	`series_id` integer GENERATED ALWAYS AS (series_bucket >> 32) VIRTUAL,
	`bucket` integer GENERATED ALWAYS AS ((series_bucket & 4294967295) * 3600000) VIRTUAL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rollup_1m` (
	`series_bucket` integer PRIMARY KEY NOT NULL,
	`series_id` integer GENERATED ALWAYS AS (series_bucket >> 32) VIRTUAL,
	`bucket` integer GENERATED ALWAYS AS ((series_bucket & 4294967295) * 60000) VIRTUAL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`sum` real NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `samples` (
	`series_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`ts`, `series_id`)
);
--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY NOT NULL,
	`metric` text NOT NULL,
	`labels` text NOT NULL,
	`key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_key_unique` ON `series` (`key`);--> statement-breakpoint
CREATE TABLE `step_index` (
	`i` integer PRIMARY KEY NOT NULL
);
