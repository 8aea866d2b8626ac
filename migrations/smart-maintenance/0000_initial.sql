CREATE SCHEMA "smart_maintenance";
--> statement-breakpoint
CREATE TABLE "smart_maintenance"."sensor_readings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"sensor_id" varchar(100) NOT NULL,
	"sensor_type" varchar(50) NOT NULL,
	"value" double precision,
	"unit" varchar(20),
	"quality" double precision NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"temperature" double precision,
	"pressure" double precision,
	"vibration" double precision,
	"humidity" double precision,
	"correlation_id" uuid NOT NULL,
	"metadata" jsonb,
	"idempotency_key" varchar(255),
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "smart_maintenance"."sensors" (
	"sensor_id" varchar(100) PRIMARY KEY NOT NULL,
	"sensor_type" varchar(50) NOT NULL,
	"location" varchar(200),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sensor_readings_sensor_time_idx" ON "smart_maintenance"."sensor_readings" USING btree ("sensor_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "sensor_readings_idempotency_key_idx" ON "smart_maintenance"."sensor_readings" USING btree ("idempotency_key") WHERE "smart_maintenance"."sensor_readings"."idempotency_key" is not null;