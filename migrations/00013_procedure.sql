-- Reserved for issue 13, part 2 (named scrutineers, further vote, voting rules, announcement): filled in by that work before it lands.
select 1;
