CREATE TABLE `histogram_1d` (
	`series_bucket` integer PRIMARY KEY NOT NULL,
	`bins` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `histogram_1h` (
	`series_bucket` integer PRIMARY KEY NOT NULL,
	`bins` text NOT NULL
);
