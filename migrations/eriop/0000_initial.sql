CREATE TYPE "public"."alert_severity" AS ENUM('critical', 'high', 'medium', 'low', 'info');--> statement-breakpoint
CREATE TYPE "public"."alert_source" AS ENUM('fundamentum', 'alarm_system', 'axis_microphone', 'security_system', 'manual', 'external_api', 'iot_telemetry');--> statement-breakpoint
CREATE TYPE "public"."alert_status" AS ENUM('pending', 'acknowledged', 'processing', 'resolved', 'dismissed');--> statement-breakpoint
CREATE TYPE "public"."building_type" AS ENUM('residential_single', 'residential_multi', 'commercial', 'industrial', 'institutional', 'healthcare', 'educational', 'government', 'religious', 'mixed_use', 'parking', 'warehouse', 'high_rise', 'other');--> statement-breakpoint
CREATE TYPE "public"."construction_type" AS ENUM('type_i', 'type_ii', 'type_iii', 'type_iv', 'type_v', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."hazard_level" AS ENUM('low', 'moderate', 'high', 'extreme');--> statement-breakpoint
CREATE TYPE "public"."incident_category" AS ENUM('fire', 'medical', 'police', 'rescue', 'traffic', 'weather', 'hazmat', 'utility', 'intrusion', 'assault', 'theft', 'threat', 'welfare_check', 'civil_assistance', 'training', 'other');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('new', 'assigned', 'en_route', 'on_scene', 'resolved', 'closed');--> statement-breakpoint
CREATE TYPE "public"."occupancy_type" AS ENUM('assembly', 'business', 'educational', 'factory', 'high_hazard', 'institutional', 'mercantile', 'residential', 'storage', 'utility');--> statement-breakpoint
CREATE TYPE "public"."resource_status" AS ENUM('available', 'assigned', 'en_route', 'on_scene', 'off_duty', 'out_of_service');--> statement-breakpoint
CREATE TYPE "public"."resource_type" AS ENUM('personnel', 'vehicle', 'equipment');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('admin', 'dispatcher', 'responder', 'alert_system');--> statement-breakpoint
CREATE SEQUENCE "public"."incident_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(200) NOT NULL,
	"code" varchar(20) NOT NULL,
	"description" text,
	"address" varchar(500),
	"phone" varchar(20),
	"email" varchar(255),
	"is_active" boolean DEFAULT true NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agencies_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"email" varchar(255) NOT NULL,
	"hashed_password" varchar(255) NOT NULL,
	"full_name" varchar(200) NOT NULL,
	"badge_number" varchar(50),
	"phone" varchar(20),
	"role" "user_role" DEFAULT 'responder' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"is_verified" boolean DEFAULT false NOT NULL,
	"mfa_enabled" boolean DEFAULT false NOT NULL,
	"failed_login_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_email_lower_case" CHECK ("users"."email" = lower("users"."email"))
);
--> statement-breakpoint
CREATE TABLE "buildings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"name" varchar(200) NOT NULL,
	"civic_number" varchar(20),
	"street_name" varchar(200) NOT NULL,
	"street_type" varchar(50),
	"city" varchar(100) NOT NULL,
	"province_state" varchar(100) NOT NULL,
	"postal_code" varchar(20),
	"country" varchar(100) DEFAULT 'Canada' NOT NULL,
	"full_address" varchar(500) NOT NULL,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"building_type" "building_type" DEFAULT 'other' NOT NULL,
	"occupancy_type" "occupancy_type",
	"construction_type" "construction_type" DEFAULT 'unknown' NOT NULL,
	"hazard_level" "hazard_level" DEFAULT 'low' NOT NULL,
	"total_floors" integer DEFAULT 1 NOT NULL,
	"basement_levels" integer DEFAULT 0 NOT NULL,
	"year_built" integer,
	"has_sprinkler_system" boolean DEFAULT false NOT NULL,
	"has_fire_alarm" boolean DEFAULT false NOT NULL,
	"has_standpipe" boolean DEFAULT false NOT NULL,
	"has_elevator" boolean DEFAULT false NOT NULL,
	"has_generator" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "buildings_latitude_range" CHECK ("buildings"."latitude" between -90 and 90),
	CONSTRAINT "buildings_longitude_range" CHECK ("buildings"."longitude" between -180 and 180),
	CONSTRAINT "buildings_floors_range" CHECK ("buildings"."total_floors" >= 0 and "buildings"."basement_levels" >= 0)
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"resource_type" "resource_type" NOT NULL,
	"name" varchar(200) NOT NULL,
	"call_sign" varchar(50),
	"status" "resource_status" DEFAULT 'available' NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"capabilities" text[] DEFAULT '{}'::text[] NOT NULL,
	"current_incident_id" uuid,
	"last_status_update" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "resources_latitude_range" CHECK ("resources"."latitude" between -90 and 90),
	CONSTRAINT "resources_longitude_range" CHECK ("resources"."longitude" between -180 and 180)
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"incident_number" varchar(50) NOT NULL,
	"category" "incident_category" NOT NULL,
	"priority" smallint DEFAULT 3 NOT NULL,
	"status" "incident_status" DEFAULT 'new' NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"address" varchar(500),
	"building_info" text,
	"building_id" uuid,
	"assigned_units" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"notes" text,
	"created_by" uuid,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incidents_incident_number_unique" UNIQUE("incident_number"),
	CONSTRAINT "incidents_priority_range" CHECK ("incidents"."priority" between 1 and 5),
	CONSTRAINT "incidents_latitude_range" CHECK ("incidents"."latitude" between -90 and 90),
	CONSTRAINT "incidents_longitude_range" CHECK ("incidents"."longitude" between -180 and 180)
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"source" "alert_source" NOT NULL,
	"source_id" varchar(255),
	"severity" "alert_severity" DEFAULT 'medium' NOT NULL,
	"status" "alert_status" DEFAULT 'pending' NOT NULL,
	"alert_type" varchar(100) NOT NULL,
	"title" varchar(200) NOT NULL,
	"description" text,
	"latitude" double precision,
	"longitude" double precision,
	"address" varchar(500),
	"zone" varchar(100),
	"raw_payload" jsonb,
	"confidence" double precision,
	"peak_level_db" double precision,
	"background_level_db" double precision,
	"building_id" uuid,
	"linked_incident_id" uuid,
	"ingested_by" uuid,
	"idempotency_key" varchar(255),
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" uuid,
	"acknowledgment_notes" text,
	"dismissed_at" timestamp with time zone,
	"dismissed_by" uuid,
	"dismissal_reason" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alerts_confidence_range" CHECK ("alerts"."confidence" between 0 and 1),
	CONSTRAINT "alerts_latitude_range" CHECK ("alerts"."latitude" between -90 and 90),
	CONSTRAINT "alerts_longitude_range" CHECK ("alerts"."longitude" between -180 and 180)
);
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_current_incident_id_incidents_id_fk" FOREIGN KEY ("current_incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_linked_incident_id_incidents_id_fk" FOREIGN KEY ("linked_incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_dismissed_by_users_id_fk" FOREIGN KEY ("dismissed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_agency_role_idx" ON "users" USING btree ("agency_id","role");--> statement-breakpoint
CREATE INDEX "buildings_agency_name_idx" ON "buildings" USING btree ("agency_id","name","id");--> statement-breakpoint
CREATE INDEX "resources_agency_status_idx" ON "resources" USING btree ("agency_id","status","call_sign","id");--> statement-breakpoint
CREATE INDEX "resources_agency_type_idx" ON "resources" USING btree ("agency_id","resource_type","call_sign","id");--> statement-breakpoint
CREATE INDEX "incidents_active_idx" ON "incidents" USING btree ("agency_id","priority","created_at" DESC NULLS FIRST) WHERE "incidents"."status" in ('new', 'assigned', 'en_route', 'on_scene');--> statement-breakpoint
CREATE INDEX "incidents_agency_created_idx" ON "incidents" USING btree ("agency_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_agency_status_created_idx" ON "incidents" USING btree ("agency_id","status","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_pending_idx" ON "alerts" USING btree ("agency_id","severity","created_at" DESC NULLS FIRST) WHERE "alerts"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "alerts_agency_created_idx" ON "alerts" USING btree ("agency_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "alerts_agency_status_created_idx" ON "alerts" USING btree ("agency_id","status","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_idempotency_key_idx" ON "alerts" USING btree ("agency_id","idempotency_key") WHERE "alerts"."idempotency_key" is not null;