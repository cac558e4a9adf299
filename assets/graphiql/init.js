// Mounts GraphiQL against the endpoint that served the page (the page lives at the GraphQL
// endpoint itself, so this also works behind a path prefix).
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var defaultQuery = [
    '# kxc: practices, cities, themes and funding.',
    '# Press the run button or Ctrl-Enter.',
    '{',
    '  practices(first: 5) {',
    '    totalCount',
    '    nodes {',
    '      title',
    '      cities { name }',
    '      evaluation { score label }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery })
  );
})();
