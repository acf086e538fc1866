-- salon_devices: where Mango POS devices find their salon's local hub.
--
-- Devices ask for the row of their salon with is_local_hub = true and is_online = true and
-- connect to mqtt://{local_ip}:{mqtt_port}, falling back to the cloud broker when that fails.
-- mango-broker keeps its own row current (upsert at start, heartbeat, is_online = false at
-- shutdown) and mirrors the devices enrolled through its HTTP API (is_local_hub = false).
--
-- Every upsert targets the unique (salon_id, device_id) and sends only the columns the hub owns:
--   hub row:    salon_id, device_id, device_type ('store-app'), local_ip, mqtt_port, ws_port,
--               tls_port, http_port, is_local_hub (true), is_online, last_seen, hub_version
--   device row: salon_id, device_id, device_type, is_local_hub (false), is_online,
--               hub_device_id, enrolled_at, revoked_at
-- device_name, created_at and updated_at are never written by the hub.
--
-- Idempotent: run it on a new project or again on one that already has the table
-- (Supabase SQL editor, or psql). It assumes Supabase's roles anon, authenticated, service_role.

create table if not exists public.salon_devices (
  id uuid primary key default gen_random_uuid(),
  salon_id text not null,
  device_id text not null,
  device_type text not null
);

alter table public.salon_devices
  add column if not exists device_name text,
  add column if not exists local_ip text,
  add column if not exists mqtt_port integer,
  add column if not exists ws_port integer,
  add column if not exists tls_port integer,
  add column if not exists http_port integer,
  add column if not exists is_local_hub boolean not null default false,
  add column if not exists is_online boolean not null default false,
  add column if not exists last_seen timestamptz,
  add column if not exists hub_version text,
  add column if not exists hub_device_id text,
  add column if not exists enrolled_at timestamptz,
  add column if not exists revoked_at timestamptz,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists updated_at timestamptz not null default now();

-- The conflict target of every upsert (PostgREST on_conflict=salon_id,device_id): a restart of the
-- hub, or a second enrolment of the same device, updates the same row.
create unique index if not exists salon_devices_salon_device_key on public.salon_devices (salon_id, device_id);

-- The lookup devices make at start-up.
create index if not exists salon_devices_online_hub_idx on public.salon_devices (salon_id) where is_local_hub and is_online;

alter table public.salon_devices drop constraint if exists salon_devices_device_type_check;
alter table public.salon_devices add constraint salon_devices_device_type_check
  check (device_type in ('store-app', 'check-in', 'mango-pad', 'staff-tablet', 'online-store', 'client-portal'));

alter table public.salon_devices drop constraint if exists salon_devices_ports_check;
alter table public.salon_devices add constraint salon_devices_ports_check check (
  (mqtt_port is null or mqtt_port between 1 and 65535) and
  (ws_port is null or ws_port between 1 and 65535) and
  (tls_port is null or tls_port between 1 and 65535) and
  (http_port is null or http_port between 1 and 65535)
);

create or replace function public.salon_devices_touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

drop trigger if exists salon_devices_touch_updated_at on public.salon_devices;
create trigger salon_devices_touch_updated_at before update on public.salon_devices
  for each row execute function public.salon_devices_touch_updated_at();

-- Row-level security. service_role bypasses it (Supabase gives that role BYPASSRLS): the usual
-- key of a hub. A narrower hub key is a JWT signed with the project's JWT secret carrying
-- role "authenticated", salon_id and device_type "store-app": it may write rows of its own salon
-- only. Any authenticated JWT with a salon_id claim may read its salon's rows (the device
-- lookup). anon may do nothing.
alter table public.salon_devices enable row level security;

revoke all on table public.salon_devices from anon;
grant select, insert, update on table public.salon_devices to authenticated;
grant select, insert, update, delete on table public.salon_devices to service_role;

drop policy if exists salon_devices_read_own_salon on public.salon_devices;
create policy salon_devices_read_own_salon on public.salon_devices
  for select to authenticated
  using (salon_id = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'salon_id'));

drop policy if exists salon_devices_hub_insert on public.salon_devices;
create policy salon_devices_hub_insert on public.salon_devices
  for insert to authenticated
  with check (
    salon_id = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'salon_id')
    and (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'device_type') = 'store-app'
  );

drop policy if exists salon_devices_hub_update on public.salon_devices;
create policy salon_devices_hub_update on public.salon_devices
  for update to authenticated
  using (
    salon_id = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'salon_id')
    and (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'device_type') = 'store-app'
  )
  with check (
    salon_id = (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'salon_id')
    and (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'device_type') = 'store-app'
  );
