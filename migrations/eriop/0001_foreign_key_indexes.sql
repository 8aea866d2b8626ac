CREATE INDEX "resources_current_incident_idx" ON "resources" USING btree ("current_incident_id") WHERE "resources"."current_incident_id" is not null;--> statement-breakpoint
CREATE INDEX "incidents_created_by_idx" ON "incidents" USING btree ("created_by") WHERE "incidents"."created_by" is not null;--> statement-breakpoint
CREATE INDEX "incidents_building_idx" ON "incidents" USING btree ("building_id") WHERE "incidents"."building_id" is not null;--> statement-breakpoint
CREATE INDEX "alerts_acknowledged_by_idx" ON "alerts" USING btree ("acknowledged_by") WHERE "alerts"."acknowledged_by" is not null;--> statement-breakpoint
CREATE INDEX "alerts_dismissed_by_idx" ON "alerts" USING btree ("dismissed_by") WHERE "alerts"."dismissed_by" is not null;--> statement-breakpoint
CREATE INDEX "alerts_linked_incident_idx" ON "alerts" USING btree ("linked_incident_id") WHERE "alerts"."linked_incident_id" is not null;--> statement-breakpoint
CREATE INDEX "alerts_building_idx" ON "alerts" USING btree ("building_id") WHERE "alerts"."building_id" is not null;