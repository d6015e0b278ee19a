-- Reserved for issue 16 (speed): filled in by that work before it lands.
select 1;
