# title: At one table
# description: CHECKS.md's "at one table", the one definition every consumer reads:
#   an entity is seated at a network when it is a member of it (an organisation also
#   when an area it `represents` is a member), at a project when it is the project's
#   administrator or one of its partners (whatever the project's status), at an event
#   when it is a listed participant. Two actors are at one table when both are seated at
#   the same network, project or event. Nothing else seats anyone: not organising an
#   event, convening a network, funding, a responsibility or a post; meeting is not
#   transitive. Area members are seated too (an area stands for its community): the
#   cross-border queries count them, the key-actor check never meets them (key actors are
#   organisations and people).
# writes: ?x rg:seatedAt ?table, in the named graph <https://w3id.org/regiograph/derived>
INSERT { GRAPH <https://w3id.org/regiograph/derived> { ?x rg:seatedAt ?table } }
WHERE {
  { ?table org:hasMember ?x }
  UNION
  { ?table org:hasMember ?area . ?x rg:represents ?area }
  UNION
  { ?table rg:administrator ?x }
  UNION
  { ?table rg:partner ?x }
  UNION
  { ?table rg:participant ?x }
}
