-- A small warehouse: customers and invoices under the warehouse's own names. The schema
-- `intacct_outbound` holds what goes to Intacct (the job `warehouse-to-intacct` reads only it);
-- the stream maps of tap-postgres in meltano.yml rename its columns to Intacct's fields.
create schema crm;
create schema sales;
create schema intacct_outbound;

create table crm.customers (
    customer_code text primary key,
    customer_name text not null,
    contact_first_name text,
    contact_last_name text,
    email text,
    street text,
    city text,
    postcode text,
    country_code text,
    updated_at timestamptz not null default clock_timestamp()
);

create table sales.invoice_headers (
    invoice_number text primary key,
    customer_code text not null references crm.customers (customer_code),
    invoice_date date not null,
    due_date date,
    summary text,
    updated_at timestamptz not null default clock_timestamp()
);

create table sales.invoice_lines (
    invoice_number text not null references sales.invoice_headers (invoice_number),
    line_number integer not null,
    revenue_account text not null,
    net_amount numeric(12, 2) not null,
    description text,
    primary key (invoice_number, line_number)
);

-- Intacct's contact and line blocks are nested; a view builds them as JSON objects because
-- Meltano reads dots in meltano.yml keys as nesting, so DISPLAYCONTACT.EMAIL1 cannot be a map key.
create view intacct_outbound.customers as
select
    customer_code,
    customer_name,
    jsonb_strip_nulls(jsonb_build_object(
        'PRINTAS', customer_name,
        'FIRSTNAME', contact_first_name,
        'LASTNAME', contact_last_name,
        'EMAIL1', email,
        'MAILADDRESS', jsonb_build_object(
            'ADDRESS1', street, 'CITY', city, 'ZIP', postcode, 'COUNTRYCODE', country_code)
    )) as contact,
    updated_at
from crm.customers;

create view intacct_outbound.invoices as
select
    h.invoice_number,
    h.customer_code,
    h.invoice_date,
    h.due_date,
    h.summary,
    jsonb_build_object('lineitem', jsonb_agg(
        jsonb_build_object(
            'GLACCOUNTNO', l.revenue_account, 'AMOUNT', l.net_amount, 'MEMO', l.description)
        order by l.line_number
    )) as invoice_lines,
    h.updated_at
from sales.invoice_headers h
join sales.invoice_lines l using (invoice_number)
group by h.invoice_number;
