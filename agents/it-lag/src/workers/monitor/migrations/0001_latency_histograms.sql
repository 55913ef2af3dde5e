CREATE TABLE `histogram_1h` (
	`series_bucket` integer PRIMARY KEY NOT NULL,
	`bins` text NOT NULL
);
